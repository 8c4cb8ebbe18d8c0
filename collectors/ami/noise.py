"""Asterisk console output around AMI blocks in a saved capture: recognised, skipped, counted.

A capture sent in for support is rarely a clean socket dump. It is often the Asterisk console
(``asterisk -rvvv`` with ``manager set debug on``, ``core set verbose 5``, ``core set debug 3``)
copied or ``tee``'d to a file, where the events appear among lines such as::

    pbx*CLI> manager set debug on
    <-- Examining AMI event: -->
    [2026-12-07 10:00:00.012] DEBUG[2462]: manager.c:5657 should_send_event: Examining AMI ...
    [Dec  7 10:00:00] VERBOSE[1234][C-00000003] pbx.c:     -- Executing [4000@from-trunk:3] ...
        -- Executing [4000@from-trunk:3] Queue("PJSIP/trunk-0000000b", "support") in new stack
      == Spawn extension (from-trunk, 4000, 3) exited non-zero on 'PJSIP/trunk-0000000b'
    <--- Examining AMI action: -->

often with ANSI colour codes (``ESC[1;36;40m``). None of these is ``Key: Value`` in AMI's sense
(a key at column 0 without spaces), but some look like it (``WARNING[123]: chan_sip.c: ...``),
so they are recognised by their shape before a line is read as a field. The event lines that
follow such a header are left alone: Asterisk prints an event's block whole, ended by a blank
line. A line that is neither a field nor console output is not noise; the decoder reports it.
"""

from __future__ import annotations

import re

# CSI sequences (colours, cursor moves), OSC titles, charset selection, keypad modes.
_ANSI = re.compile(
    rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])"
)
# The remote console's prompt, with or without the host name (``pbx*CLI>``), and what was typed.
_PROMPT = re.compile(rb"^[\w.@-]*\*CLI>")
_RULES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    # a log line: "[Dec  7 10:00:00] ", "[2026-12-07 10:00:00.012] ", "Dec  7 10:00:00 " (1.4),
    # or a level without its date ("WARNING[123]: ...", a logger.conf without dateformat)
    ("log", re.compile(rb"^\[[^\]]{0,40}\d\d:\d\d:\d\d[^\]]{0,12}\]")),
    ("log", re.compile(rb"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ")),
    ("log", re.compile(rb"^(?:VERBOSE|DEBUG|NOTICE|WARNING|ERROR|SECURITY|DTMF)\[\d+\]")),
    # verbose messages: "  == ", "    -- ", "       > " (VERBOSE_PREFIX_2..4)
    ("verbose", re.compile(rb"^ *(?:==|--|>)(?: |$)")),
    # manager/ARI debug headers: "<-- Examining AMI event: -->", "<--- Sending ARI event to x --->"
    ("debug header", re.compile(rb"^ *<-{2,}.*-{2,}> *$")),
    ("banner", re.compile(rb"^Asterisk Call Manager/")),
    (
        "console",
        re.compile(
            rb"^(?:Connected to Asterisk |Verbosity |Console verbose |Core debug |"
            rb"[Mm]anager debug |Asterisk \S+, Copyright |Created by Mark Spencer|"
            rb"Asterisk Ready|=+ *$)"
        ),
    ),
    # ARI events dumped as JSON by "ari set debug" (between their debug headers)
    ("console", re.compile(rb'^ *(?:[{}\[\]],?|"[^"]*": .*) *$')),
)


def as_shown(line: bytes) -> bytes:
    """``line`` as the terminal showed it: without escape sequences (colours and the like),
    and only what follows its last carriage return (the console redraws its prompt that way)."""
    if b"\x1b" in line:
        line = _ANSI.sub(b"", line)
    return line.rsplit(b"\r", 1)[-1] if b"\r" in line else line


def is_field(line: bytes) -> bool:
    """``Key: Value`` as AMI writes it: a key at column 0, without spaces, then a colon."""
    key, colon, _ = line.partition(b":")
    return bool(colon and key) and not key[:1].isspace() and b" " not in key and b"\t" not in key


def noise_kind(line: bytes) -> tuple[str, bytes]:
    """What kind of console output ``line`` (as shown) is, ``""`` when none, and the line left
    to read as a field: after a prompt the console may print output on the prompt's line."""
    prompt = _PROMPT.match(line)
    if prompt:
        rest = line[prompt.end() :].lstrip(b" ")
        if is_field(rest):
            return "", rest
        return noise_kind(rest)[0] or "prompt", b""
    for kind, pattern in _RULES:
        if pattern.match(line):
            return kind, b""
    return "", line
