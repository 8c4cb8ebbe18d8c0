"""Whether a server's events carry Timestamp: learnt from broadcast queue events only."""

from __future__ import annotations

from collectors.ami.mapping import AmiMapper
from collectors.ami.protocol import Message
from collectors.ami.timestamps import TimestampCheck


def msg(event: str, **fields: str) -> Message:
    return Message((("Event", event), *fields.items()))


def check() -> TimestampCheck:
    return TimestampCheck(AmiMapper(source="ami:pbx:5038", server="pbx:5038").handled)


def test_answers_to_our_actions_and_unneeded_events_say_nothing() -> None:
    c = check()
    # QueueStatus answers, FullyBooted at login: never a Timestamp, whatever manager.conf says
    assert c.observe(msg("QueueMember", ActionID="fb-1-3", Queue="q")) is None
    assert c.observe(msg("QueueEntry", Queue="q", Uniqueid="1.1")) is None
    assert c.observe(msg("FullyBooted", Status="Fully Booted")) is None
    assert (c.state, c.timed, c.untimed) == ("unknown", 0, 0)


def test_one_queue_event_without_timestamp_makes_it_missing() -> None:
    c = check()
    assert c.observe(msg("QueueCallerJoin", Timestamp="1700000000.1", Queue="q")) is True
    assert c.state == "present"
    assert c.observe(msg("AgentCalled", Queue="q")) is False
    assert (c.state, c.timed, c.untimed) == ("missing", 1, 1)
