"""Reading the fields of an AMI event the mapping needs, with errors that say what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collectors.ami.protocol import Message
from collectors.events import Event

_MAX_NUMBER = 1e11  # larger is a corrupt field, not a time or a duration
_TRUE = {"1", "true", "yes", "on"}


class MappingError(ValueError):
    """An event the mapper needs is missing a field or holds a malformed number."""


def required(msg: Message, key: str) -> str:
    """A text field that must be there."""
    value = msg.get(key).strip()
    if not value:
        raise MappingError(f"missing field: {msg.event} needs {key}")
    return value


def number(msg: Message, key: str, *, needed: bool = True) -> float | None:
    """A non-negative number; ``None`` when absent and not ``needed``."""
    text = msg.get(key).strip()
    if not text:
        if needed:
            raise MappingError(f"missing field: {msg.event} needs {key}")
        return None
    try:
        value = float(text)
    except ValueError:
        raise MappingError(f"bad number: {msg.event} {key}={text[:40]!r}") from None
    if not 0.0 <= value < _MAX_NUMBER:
        raise MappingError(f"bad number: {msg.event} {key}={text[:40]!r} is out of range")
    return value


def whole(msg: Message, key: str) -> int:
    """A whole number of seconds since the epoch (``LoginTime``, ``LastPause``); 0 if absent."""
    return int(number(msg, key, needed=False) or 0)


def integer(msg: Message, key: str) -> int | None:
    """A position; ``None`` when absent."""
    text = msg.get(key).strip()
    if not text:
        return None
    if not text.isdigit():
        raise MappingError(f"bad number: {msg.event} {key}={text[:40]!r}")
    return int(text)


def flag(msg: Message, key: str) -> bool:
    return msg.get(key).strip().lower() in _TRUE


def agent(msg: Message) -> str:
    """The member's name as queue_log writes it; ``QueueStatus`` answers call it ``Name``."""
    for key in ("MemberName", "Name", "Interface", "Location"):
        value = msg.get(key).strip()
        if value:
            return value
    raise MappingError(f"missing field: {msg.event} needs MemberName or Interface")


def caller(msg: Message) -> str:
    """The caller's number; Asterisk writes ``<unknown>`` where queue_log has nothing."""
    value = msg.get("CallerIDNum").strip() or msg.get("CallerID").strip()
    return "" if value in ("<unknown>", "unknown") else value


def pause_reason(msg: Message) -> str:
    return msg.get("PausedReason").strip() or msg.get("Reason").strip()


@dataclass(frozen=True, slots=True)
class EventMaker:
    """Builds the canonical events of one AMI server: its ``source`` and its event ids.

    Args:
        source: the ``source`` every event carries (``ami:<host>:<port>``).
        server: the server part of event ids.
    """

    source: str
    server: str

    def block_id(self, key: str, msg: Message) -> str:
        """The id of what one block says: the same block replayed gives the same id."""
        return f"ami:{self.server}:{key}:{msg.event}:{msg.digest()}"

    def state_id(self, *parts: object) -> str:
        """The id of a state (a login, a pause, a waiting caller) however it was learnt."""
        return ":".join(["ami", self.server, *(str(p) for p in parts)])

    def __call__(self, kind: str, ts: float, event_id: str, **fields: Any) -> Event:
        return Event(str(kind), ts, self.source, event_id, **fields)
