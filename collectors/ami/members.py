"""Queue members and agents from AMI: membership, pauses, and the state a ``QueueStatus`` lists.

Live events (``QueueMemberAdded``, ``QueueMemberRemoved``, ``QueueMemberPause``, ``AgentLogin``,
``AgentLogoff``) map one to one. State (``QueueMemberStatus`` events and the ``QueueMember``
lines of a ``QueueStatus`` answer) is compared with what was last said about the member and
only a difference is emitted, as ``member_add``, ``pause`` or ``unpause``: these are idempotent
in the aggregator, and their ids depend on the state alone (``LoginTime``, ``LastPause``), so the
same state read again after a reconnect repeats ids the aggregator drops. A pause learnt from
state is dated ``LastPause``, so the agent grid shows the real time in pause at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from collectors.ami import fields as f
from collectors.ami.protocol import Message
from collectors.events import Event, Kind

Handler = Callable[[Message, float, float], list[Event]]
MemberKey = tuple[str, str]  # (agent, queue)


@dataclass(frozen=True, slots=True)
class _Member:
    paused: bool
    reason: str


class MemberTracker:
    """What AMI said last about each (agent, queue), and the events that change it.

    Args:
        make: builds events with the server's source and ids.
    """

    def __init__(self, make: f.EventMaker) -> None:
        self.make = make
        self.members: dict[MemberKey, _Member] = {}
        self._listed: set[MemberKey] | None = None

    @property
    def handlers(self) -> dict[str, Handler]:
        return {
            "QueueMemberAdded": self._added,
            "QueueMemberRemoved": self._removed,
            "QueueMemberPause": self._pause,
            "QueueMemberStatus": self._state,
            "QueueMember": self._state,
            "AgentLogin": self._login,
            "AgentLogoff": self._logoff,
        }

    def begin_snapshot(self) -> None:
        """Start noting the members a ``QueueStatus`` answer lists (or live events mention)."""
        self._listed = set()

    def end_snapshot(self, now: float) -> list[Event]:
        """Members known before but not listed were removed while the connection was down."""
        listed, self._listed = self._listed, None
        if listed is None:
            return []
        out: list[Event] = []
        for agent, queue in [key for key in self.members if key not in listed]:
            del self.members[(agent, queue)]
            event_id = self.make.state_id(f"{agent}@{queue}", "member_remove", "state", int(now))
            out.append(self.make(Kind.MEMBER_REMOVE, now, event_id, queue=queue, agent=agent))
        return out

    def _set(self, key: MemberKey, paused: bool, reason: str) -> None:
        self.members[key] = _Member(paused, reason if paused else "")
        if self._listed is not None:
            self._listed.add(key)

    def _add_id(self, key: MemberKey, msg: Message, *, live: bool) -> str:
        login = f.whole(msg, "LoginTime")
        if login:  # the same login, whether an event or QueueStatus tells it
            return self.make.state_id(f"{key[0]}@{key[1]}", "member_add", login)
        if live:
            return self.make.block_id(f"{key[0]}@{key[1]}", msg)
        return self.make.state_id(f"{key[0]}@{key[1]}", "member_add", "state")

    def _pause_event(self, key: MemberKey, msg: Message, ts: float) -> Event:
        agent, queue = key
        last = f.whole(msg, "LastPause")
        if last:  # one pause, however it is learnt
            event_id = self.make.state_id(f"{agent}@{queue}", "pause", last)
        else:
            event_id = self.make.block_id(f"{agent}@{queue}", msg)
        reason = f.pause_reason(msg)
        return self.make(Kind.PAUSE, ts, event_id, queue=queue, agent=agent, reason=reason)

    def _added(self, msg: Message, ts: float, now: float) -> list[Event]:
        key = (f.agent(msg), f.required(msg, "Queue"))
        paused = f.flag(msg, "Paused")
        self._set(key, paused, f.pause_reason(msg))
        event_id = self._add_id(key, msg, live=True)
        out = [self.make(Kind.MEMBER_ADD, ts, event_id, agent=key[0], queue=key[1])]
        if paused:  # a member may be added paused
            out.append(self._pause_event(key, msg, ts))
        return out

    def _removed(self, msg: Message, ts: float, now: float) -> list[Event]:
        agent, queue = f.agent(msg), f.required(msg, "Queue")
        self.members.pop((agent, queue), None)
        event_id = self.make.block_id(f"{agent}@{queue}", msg)
        return [self.make(Kind.MEMBER_REMOVE, ts, event_id, queue=queue, agent=agent)]

    def _pause(self, msg: Message, ts: float, now: float) -> list[Event]:
        key = (f.agent(msg), f.required(msg, "Queue"))
        paused = f.flag(msg, "Paused")
        self._set(key, paused, f.pause_reason(msg))
        if paused:
            return [self._pause_event(key, msg, ts)]
        event_id = self.make.block_id(f"{key[0]}@{key[1]}", msg)
        return [self.make(Kind.UNPAUSE, ts, event_id, agent=key[0], queue=key[1])]

    def _state(self, msg: Message, ts: float, now: float) -> list[Event]:
        """A member's whole state: emit only what differs from what was last said."""
        key = (f.agent(msg), f.required(msg, "Queue"))
        known = self.members.get(key)
        paused, reason = f.flag(msg, "Paused"), f.pause_reason(msg)
        out: list[Event] = []
        if known is None:
            login = f.whole(msg, "LoginTime") or ts
            event_id = self._add_id(key, msg, live=False)
            out.append(self.make(Kind.MEMBER_ADD, login, event_id, agent=key[0], queue=key[1]))
        if paused and (known is None or not known.paused or known.reason != reason):
            out.append(self._pause_event(key, msg, f.whole(msg, "LastPause") or ts))
        elif not paused and (known is None or known.paused):
            last = f.whole(msg, "LastPause")
            event_id = self.make.state_id(f"{key[0]}@{key[1]}", "unpause", last, "state")
            out.append(self.make(Kind.UNPAUSE, ts, event_id, agent=key[0], queue=key[1]))
        self._set(key, paused, reason)
        return out

    def _login(self, msg: Message, ts: float, now: float) -> list[Event]:
        agent = f.required(msg, "Agent")
        return [self.make(Kind.LOGIN, ts, self.make.block_id(agent, msg), agent=agent)]

    def _logoff(self, msg: Message, ts: float, now: float) -> list[Event]:
        agent = f.required(msg, "Agent")
        return [self.make(Kind.LOGOUT, ts, self.make.block_id(agent, msg), agent=agent)]
