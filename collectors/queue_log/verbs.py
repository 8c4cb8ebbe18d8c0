"""The queue_log verbs Asterisk writes, and what each one means: its canonical kind, whether it
is for every queue, and how its data fields are read. This is the parser's dispatch table
(``parser.handler_table`` adds a reader's survey verbs to it); the survey settings check a
survey verb against it, so it sits below both.

A field reader raises ``ValueError`` (or ``IndexError``/``KeyError``) on anything that is not a
sane value; the parser then says slowly what is wrong with the line. These run once per line:
the module is compiled with the parser (``collectors/compiled.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from collectors.events import Kind

VERB = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
"""What looks like a queue_log event verb: a capital ASCII letter, then capital letters,
digits or underscores, 32 characters at most (every verb Asterisk writes has this shape)."""

MAX_DURATION = 1e9  # ~31 years of seconds (or ring milliseconds)


# --- field converters: raise ValueError on anything that is not a sane value ------------------


def read_duration(text: str) -> float:
    value = float(text)
    if 0.0 <= value < MAX_DURATION:
        return value
    raise ValueError(text)


def _opt_dur(p: list[str], i: int) -> float | None:
    return read_duration(p[i]) if len(p) > i and p[i] else None


def read_position(text: str) -> int:
    value = int(text)
    if value >= 0:
        return value
    raise ValueError(text)


def read_score(text: str) -> float:
    value = float(text)
    if value - value == 0.0:  # finite: nan and inf fail this
        return value
    raise ValueError(text)


def _opt(p: list[str], i: int) -> str:
    return p[i] if len(p) > i else ""


# --- handlers: parts -> (wait, talk, ring, position, reason, target, score) ------------------

Fields = tuple[float | None, float | None, float | None, int | None, str, str, float | None]


def _enterqueue(p: list[str]) -> Fields:
    pos = read_position(p[7]) if len(p) > 7 and p[7] else None
    return None, None, None, pos, "", _opt(p, 6), None


def _connect(p: list[str]) -> Fields:
    return read_duration(p[5]), None, _opt_dur(p, 7), None, "", "", None


def _abandon(p: list[str]) -> Fields:
    return read_duration(p[7]), None, None, read_position(p[5]), "", "", None


def _exit(p: list[str]) -> Fields:
    return _opt_dur(p, 7), None, None, read_position(p[5]), "", "", None


def _exitwithkey(p: list[str]) -> Fields:
    return _opt_dur(p, 8), None, None, read_position(p[6]), p[5], "", None


def _attended(p: list[str]) -> Fields:
    first = ATTENDED_LAYOUT[p[5]]  # KeyError for an unknown method: diagnosed slowly
    return (
        read_duration(p[first]),
        read_duration(p[first + 1]),
        None,
        None,
        "attended",
        p[first - 1],
        None,
    )


def _info(p: list[str]) -> Fields:
    return None, None, None, None, "info", "|".join(p[5:]), None


def _addmember(p: list[str]) -> Fields:
    # ADDMEMBER|PAUSED: the AMI's QueueAdd with Paused: yes adds the member paused
    reason = "paused" if len(p) > 5 and p[5] == "PAUSED" else ""
    return None, None, None, None, reason, "", None


def _setting(name: str) -> Callable[[list[str]], Fields]:
    """PENALTY|n and RINGINUSE|0/1: a member setting changed (the number must be an integer)."""

    def handler(p: list[str]) -> Fields:
        int(p[5])
        return None, None, None, None, name, p[5], None

    return handler


def _complete(who: str) -> Callable[[list[str]], Fields]:
    def handler(p: list[str]) -> Fields:
        return read_duration(p[5]), read_duration(p[6]), None, None, who, "", None

    return handler


def _transfer(how: str) -> Callable[[list[str]], Fields]:
    def handler(p: list[str]) -> Fields:
        return read_duration(p[7]), read_duration(p[8]), None, None, how, f"{p[5]}@{p[6]}", None

    return handler


def _ring(why: str) -> Callable[[list[str]], Fields]:
    def handler(p: list[str]) -> Fields:
        return None, None, read_duration(p[5]) / 1000.0, None, why, "", None

    return handler


def _reason(index: int) -> Callable[[list[str]], Fields]:
    def handler(p: list[str]) -> Fields:
        return None, None, None, None, _opt(p, index), "", None

    return handler


def _const(reason: str = "", target_index: int = 0) -> Callable[[list[str]], Fields]:
    fixed: Fields = (None, None, None, None, reason, "", None)

    def handler(p: list[str]) -> Fields:
        if target_index:  # DID: the number is the target
            return None, None, None, None, reason, _opt(p, target_index), None
        return fixed

    return handler


# ATTENDEDTRANSFER method → index of holdtime (the target is the field just before it)
ATTENDED_LAYOUT = {"BRIDGE": 7, "APP": 7, "LINK": 8}

# event name → (kind, handler, whether the event is for all queues whatever its queue field says)
ASTERISK_HANDLERS: dict[str, tuple[str, Callable[[list[str]], Fields], bool]] = {
    "ENTERQUEUE": (Kind.ENQUEUE, _enterqueue, False),
    "CONNECT": (Kind.ANSWER, _connect, False),
    "COMPLETEAGENT": (Kind.COMPLETE, _complete("agent"), False),
    "COMPLETECALLER": (Kind.COMPLETE, _complete("caller"), False),
    "ABANDON": (Kind.ABANDON, _abandon, False),
    "EXITWITHTIMEOUT": (Kind.EXIT_TIMEOUT, _exit, False),
    "EXITEMPTY": (Kind.EXIT_EMPTY, _exit, False),
    "EXITWITHKEY": (Kind.EXIT_KEY, _exitwithkey, False),
    "TRANSFER": (Kind.TRANSFER, _transfer("transfer"), False),
    "BLINDTRANSFER": (Kind.TRANSFER, _transfer("blind"), False),
    "ATTENDEDTRANSFER": (Kind.TRANSFER, _attended, False),
    "RINGNOANSWER": (Kind.RING_NO_ANSWER, _ring(""), False),
    "RINGCANCELED": (Kind.RING_NO_ANSWER, _ring("canceled"), False),
    # the agent answered, then hung up before the bridge: an offer the agent did not take
    "AGENTDUMP": (Kind.RING_NO_ANSWER, _const("dump"), False),
    "AGENTCALLED": (Kind.RING, _const(), False),
    "ADDMEMBER": (Kind.MEMBER_ADD, _addmember, False),
    "REMOVEMEMBER": (Kind.MEMBER_REMOVE, _const(), False),
    "AGENTLOGIN": (Kind.LOGIN, _const(), False),
    "AGENTCALLBACKLOGIN": (Kind.LOGIN, _const(), False),
    "AGENTLOGOFF": (Kind.LOGOUT, _const(), False),
    "AGENTCALLBACKLOGOFF": (Kind.LOGOUT, _reason(7), False),
    "PAUSE": (Kind.PAUSE, _reason(5), False),
    "PAUSEALL": (Kind.PAUSE, _reason(5), True),
    "UNPAUSE": (Kind.UNPAUSE, _reason(5), False),
    "UNPAUSEALL": (Kind.UNPAUSE, _reason(5), True),
    "QUEUESTART": (Kind.SYSTEM_START, _const(), False),
    "DID": (Kind.CALL_INFO, _const("did", 5), False),
    "INFO": (Kind.CALL_INFO, _info, False),
    "CONFIGRELOAD": (Kind.CALL_INFO, _const("configreload"), False),
    "SYSCOMPAT": (Kind.CALL_INFO, _const("syscompat"), False),
    # a member's setting changed (its agent field is the interface): no metric effect
    "PENALTY": (Kind.CALL_INFO, _setting("penalty"), False),
    "RINGINUSE": (Kind.CALL_INFO, _setting("ringinuse"), False),
}
# plain str kinds: what a decoded frame holds too, and cheaper to serialise than the enum
ASTERISK_HANDLERS = {
    name: (str(kind), fn, every) for name, (kind, fn, every) in ASTERISK_HANDLERS.items()
}

ASTERISK_EVENTS = frozenset(ASTERISK_HANDLERS)
"""The event names Asterisk (or a common distribution: ``DID``, ``INFO``) writes, mapped."""
