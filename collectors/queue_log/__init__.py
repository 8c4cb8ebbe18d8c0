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
    ADDMEMBER, REMOVEMEMBER                          member_add, member_remove
    AGENTLOGIN|chan, AGENTCALLBACKLOGIN|exten@ctx    login
    AGENTLOGOFF|chan|logintime                       logout
    AGENTCALLBACKLOGOFF|chan|logintime|reason        logout, reason
    PAUSE|reason, PAUSEALL|reason                    pause, reason (queue "" for PAUSEALL)
    UNPAUSE|reason, UNPAUSEALL                       unpause (queue "" for UNPAUSEALL)
    QUEUESTART                                       system_start (calls in flight are gone)
    DID|number                                       call_info, reason=did, target=number
    INFO|...                                         call_info, reason=info, target=the data
    CONFIGRELOAD, SYSCOMPAT                          call_info, reason=configreload/syscompat
    SURVEY|score  (non-standard: dialplan QueueLog)  survey, score

Anything else is rejected (``unknown event: NAME``), as are lines with too few fields, a bad
epoch, a malformed number, bytes that are not UTF-8 or more than 64 KiB; blank lines are skipped.
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
