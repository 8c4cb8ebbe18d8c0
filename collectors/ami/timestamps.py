"""Whether a server's events carry ``Timestamp`` (``timestampevents`` in ``manager.conf``).

Without it an event is dated when Floorboard reads it: the figures move by the delivery delay
(and by any pause in reading), and a saved capture counts at whatever time the replay gives it.
Asterisk says nothing about the setting at login (``Ping`` answers carry a ``Timestamp``
either way), so it is learnt from the first events it broadcasts. The answers to our own
actions (``QueueStatus``: ``QueueMember``, ``QueueEntry``...) never carry one, whatever the
setting; they carry our ``ActionID`` and are not looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.ami.protocol import Message

HOW_TO_FIX = (
    "Set 'timestampevents = yes' under [general] in manager.conf, then 'manager reload' "
    "(see docs/ami.md)."
)
WARNING = (
    "AMI events carry no Timestamp header (timestampevents is off in Asterisk's manager.conf): "
    "every event is dated when it is read, so times and intervals shift by the delivery delay "
    "and a replayed capture is not counted at the time it happened. " + HOW_TO_FIX
)
REPLAY_WARNING = (
    "this capture's events carry no Timestamp header (timestampevents was off): they cannot be "
    "counted at the time they happened (see 'timestamps' above). " + HOW_TO_FIX
)

# Listed in an action's answer; not broadcast, so timestampevents does not apply to them.
_STATE_EVENTS = frozenset({"QueueParams", "QueueMember", "QueueEntry", "QueueStatusComplete"})


@dataclass
class TimestampCheck:
    """Counts the broadcast queue events with and without ``Timestamp``.

    Args:
        events: the event names that matter (the mapper's); others (``FullyBooted``, sent
            without a ``Timestamp`` at login whatever the setting) are not looked at.
    """

    events: frozenset[str]
    timed: int = 0
    untimed: int = 0

    def observe(self, msg: Message) -> bool | None:
        """``True``/``False``: ``msg`` is a broadcast event with/without ``Timestamp``;
        ``None``: it says nothing about the setting."""
        name = msg.event
        if name not in self.events or name in _STATE_EVENTS or msg.has("ActionID"):
            return None
        if msg.get("Timestamp").strip():
            self.timed += 1
            return True
        self.untimed += 1
        return False

    @property
    def state(self) -> str:
        """``present``, ``missing`` (some events had none), or ``unknown`` (no event yet)."""
        if self.untimed:
            return "missing"
        return "present" if self.timed else "unknown"
