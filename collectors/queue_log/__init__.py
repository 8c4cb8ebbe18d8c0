"""Asterisk ``queue_log``: parse lines into canonical events, follow a live file into the stream.

Line format: ``epoch|callid|queue|agent|EVENT|data1|data2|...``. ``NONE`` or empty queue, agent
and call id become ``""``. The event id is ``blake2b(line, digest_size=10)`` of the line without
its line ending (and without a UTF-8 BOM), so the same line read twice (a replay, a rotated copy,
concatenated files) gets the same id and the aggregator drops the second one.

Mapping (binding; shared with the simulator's writer and the aggregator)::

    ENTERQUEUE|url|callerid[|position]               enqueue, target=callerid, position
    CONNECT|holdtime|bridgedchanneluniqueid[|ringtime]
                                                     answer, wait=holdtime, ring=ringtime
    COMPLETEAGENT|holdtime|calltime|origposition     complete, reason=agent, wait, talk=calltime
    COMPLETECALLER|holdtime|calltime|origposition    complete, reason=caller, wait, talk
    ABANDON|position|origposition|waittime           abandon, position, wait
    EXITWITHTIMEOUT|position[|origposition|waittime] exit_timeout, position, wait (None if absent)
    EXITEMPTY|position[|origposition|waittime]       exit_empty, position, wait
    EXITWITHKEY|key|position[|origposition|waittime] exit_key, reason=key, position, wait
    TRANSFER|ext|context|holdtime|calltime|origpos   transfer, reason=transfer, target=ext@context
    BLINDTRANSFER|ext|context|holdtime|calltime|...  transfer, reason=blind, target=ext@context
    ATTENDEDTRANSFER|BRIDGE or APP|data|hold|call|.. transfer, reason=attended, target=data
    ATTENDEDTRANSFER|LINK|chan1|chan2|hold|call|...  transfer, reason=attended, target=chan2
    RINGNOANSWER|ms, RINGCANCELED|ms                 ring_no_answer, ring=ms/1000
                                                     (reason=canceled for RINGCANCELED)
    AGENTDUMP                                        ring_no_answer, reason=dump (the agent
                                                     hung up before the bridge; caller waits)
    AGENTCALLED                                      ring (not written by stock Asterisk)
    ADDMEMBER, REMOVEMEMBER                          member_add, member_remove
    ADDMEMBER|PAUSED (AMI QueueAdd, Paused: yes)     member_add, reason=paused
    AGENTLOGIN|chan, AGENTCALLBACKLOGIN|exten@ctx    login
    AGENTLOGOFF|chan|logintime                       logout
    AGENTCALLBACKLOGOFF|chan|logintime|reason        logout, reason
    PAUSE|reason, PAUSEALL|reason                    pause, reason (queue "" for PAUSEALL)
    UNPAUSE|reason, UNPAUSEALL                       unpause (queue "" for UNPAUSEALL)
    QUEUESTART                                       system_start (calls in flight are gone)
    DID|number                                       call_info, reason=did, target=number
    INFO|...                                         call_info, reason=info, target=the data
    CONFIGRELOAD, SYSCOMPAT                          call_info, reason=configreload/syscompat
    PENALTY|n, RINGINUSE|0/1                         call_info, reason=penalty/ringinuse,
                                                     target=n (member settings: no effect)
    SURVEY|score  (non-standard: dialplan QueueLog)  survey, score (verbs, score field and
                                                     scale mapped in :mod:`.survey`)

Any other event name that looks like an event verb (``[A-Z][A-Z0-9_]{0,31}``) on an otherwise
sound line is a site-made event: counted by verb as ignored (``ReadSummary.ignored``), neither an
event nor a reject. Other names are rejected (``unknown event: ...``), as are lines with too few
fields, a bad epoch, a malformed number, a survey score outside the scale, bytes that are not
UTF-8 or more than 64 KiB; blank lines are skipped. Every event and its effect on the figures:
``docs/queue_log.md``.
A missing text field is ``""``; an optional number that is empty is ``None``; fields an event
does not use (``url``, ``origposition``, the bridged channel) may be missing.
"""

from __future__ import annotations

from collectors.queue_log.decoder import (
    LineDecoder,
    parse_bytes,
    parse_file,
    parse_line,
    parse_lines,
)
from collectors.queue_log.follower import QueueLogReader, follow
from collectors.queue_log.offset import Offset, ReadSummary
from collectors.queue_log.parser import MAX_LINE_BYTES, default_source

__all__ = [
    "MAX_LINE_BYTES",
    "LineDecoder",
    "Offset",
    "QueueLogReader",
    "ReadSummary",
    "default_source",
    "follow",
    "parse_bytes",
    "parse_file",
    "parse_line",
    "parse_lines",
]
