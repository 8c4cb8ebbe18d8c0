"""Multi-leg calls: the several CDR rows (legs) of one call, put back together before counting.

Asterisk's own CDR (``Master.csv``, the ``cdr`` table) is written per channel pairing, not per
queue call: one caller who goes through an IVR, waits in a queue, rings two agents of whom
one answers and later transfers the call leaves five or more rows. They share the caller's
``uniqueid`` (every record whose party A is the caller's channel inherits it) and, from
Asterisk 1.8 on, a ``linkedid``; a leg started by the agent's channel (the transfer) has the
agent's uniqueid, but its ``channel`` is the ``dstchannel`` of the caller's answered leg.

Counting each row as a call offers a call several times and takes the agents' unanswered
rings for abandons. Here the legs of a call are grouped first (``legs:`` in the mapping,
:class:`~collectors.cdr.mapping.LegSpec`), then the call is judged as a whole
(:func:`call_of`): one offer, in the queue of the queue leg; answered when a leg to an agent
was answered (the first such agent handled it; another agent answering later is a transfer);
otherwise abandoned (or the exit the queue leg's outcome names).

Streaming. A call's rows are written close together (at hang-up), so a call stays open only
until a row is read that started more than ``window`` seconds after the end of the call's
latest leg: no later row can then be one of its legs, in a file sorted by start time or by end
time. Memory holds only the open calls.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from collectors.cdr.mapping import LegSpec
from collectors.cdr.rows import RowConverter
from collectors.cdr.schemas import CONNECTED, CallRecord, Outcome


@dataclass(slots=True)
class Leg:
    """One row of a multi-leg call, read by :class:`LegReader`.

    Args:
        record: the row as a call (its own times and outcome).
        group: the value shared by the call's legs (``group_by`` cell, else the call id).
        channel / peer: the leg's channel and the channel it connected to ("" unlinked).
        queue_leg: a leg of the caller in the queue (it may also be a leg to an agent).
        agent_leg: a leg that rang an agent (``legs.agent_leg`` matched).
        agent: the agent this leg rang ("" when it is not a leg to an agent, or when the
            source does not say which agent: a FreeSWITCH ``bleg_uuid``).
        wait / talk: the row's own wait and talk cells (``None`` when it has none).
    """

    record: CallRecord
    group: str
    channel: str = ""
    peer: str = ""
    queue_leg: bool = False
    agent: str = ""
    agent_leg: bool = False
    wait: float | None = None
    talk: float | None = None


class LegReader:
    """Reads one row's cells as a :class:`Leg` (``None``: an ignored row).

    Args:
        spec: the mapping's ``legs:``.
        convert: the mapping's row converter (times, outcome, checks).
        index: column index of each column ``spec.columns()`` names.

    Raises:
        RowError: from the converter, for a row that cannot be a leg.
    """

    def __init__(self, spec: LegSpec, convert: RowConverter, index: dict[str, int]) -> None:
        self.spec = spec
        self.convert = convert
        self.index = index

    def _cell(self, cells: list[str], key: str) -> str:
        i = self.index.get(key)
        # A row of the wrong width is rejected by the converter, which says so.
        return "" if i is None or i >= len(cells) else cells[i].strip()

    def __call__(self, cells: list[str]) -> Leg | None:
        spec = self.spec
        agent_cell = self._cell(cells, "legs.agent_leg")
        agent = ""
        agent_leg = spec.agent_leg.matches(agent_cell)
        if agent_leg:
            agent = spec.agent_of(agent_cell) or self.convert.cell(cells, "agent")
            if spec.agent_leg.pattern is not None and not agent:
                agent = agent_cell  # the pattern's group 1 was empty: the cell names the agent
        # A leg to an agent may be a queue leg too (Asterisk 12+ reuses the caller's record
        # for the first member it dials): the earliest queue leg gives the queue entry.
        queue_leg = spec.queue_leg.matches(self._cell(cells, "legs.queue_leg"))
        # Only the queue leg's queue counts; other legs need none.
        self.convert.queue_fallback = "" if queue_leg else "-"
        record = self.convert(cells)
        if record is None:
            return None
        return Leg(
            record=record,
            group=self._cell(cells, "legs.group_by") or record.call_id,
            channel=self._cell(cells, "legs.channel"),
            peer=self._cell(cells, "legs.peer_channel"),
            queue_leg=queue_leg,
            agent=agent,
            agent_leg=agent_leg,
            wait=self.convert.duration(cells, "wait"),
            talk=self.convert.duration(cells, "talk"),
        )


@dataclass(slots=True, eq=False)
class _Open:
    """A call whose legs may still come."""

    legs: list[Leg]
    first: float
    last: float
    closed: bool = False
    keys: set[str] = field(default_factory=set)


class LegGrouper:
    """Groups legs into calls while streaming; see the module docstring.

    :meth:`add` and :meth:`drain` return the calls that are complete, each as its legs in
    the order read.
    """

    def __init__(self, spec: LegSpec) -> None:
        self.window = spec.window
        self.link = bool(spec.channel)
        self.open: dict[str, _Open] = {}
        self.channels: dict[str, _Open] = {}
        self._deadlines: list[tuple[float, int, _Open]] = []
        self._firsts: list[tuple[float, int, _Open]] = []
        self._seq = 0
        self.clock = float("-inf")

    def add(self, leg: Leg) -> list[list[Leg]]:
        rec = leg.record
        call = self._find(leg)
        if call is None:
            call = _Open(legs=[], first=rec.enqueue, last=rec.end)
            self._push(self._firsts, rec.enqueue, call)
        elif rec.enqueue < call.first:
            call.first = rec.enqueue
            self._push(self._firsts, rec.enqueue, call)
        call.legs.append(leg)
        call.last = max(call.last, rec.end, rec.answer)
        self._register(call, leg)
        self._push(self._deadlines, call.last + self.window, call)
        self.clock = max(self.clock, rec.enqueue)
        return self._close(self.clock)

    def drain(self) -> list[list[Leg]]:
        return self._close(float("inf"))

    def oldest_open(self) -> float | None:
        """The earliest start among the open calls: no event from here on is final."""
        heap = self._firsts
        while heap and (heap[0][2].closed or heap[0][0] != heap[0][2].first):
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def _push(self, heap: list[tuple[float, int, _Open]], at: float, call: _Open) -> None:
        self._seq += 1
        heapq.heappush(heap, (at, self._seq, call))

    def _find(self, leg: Leg) -> _Open | None:
        call = self.open.get(leg.group)
        if not self.link:
            return call
        for name in (leg.channel, leg.peer):
            other = self.channels.get(name) if name else None
            if other is None or other is call:
                continue
            call = other if call is None else self._merge(call, other)
        return call

    def _merge(self, into: _Open, other: _Open) -> _Open:
        """One leg links two open calls: they were one call all along."""
        into.legs.extend(other.legs)
        into.first, into.last = min(into.first, other.first), max(into.last, other.last)
        for key in other.keys:
            if self.open.get(key) is other:
                self.open[key] = into
            elif self.channels.get(key) is other:
                self.channels[key] = into
        into.keys |= other.keys
        other.closed = True
        self._push(self._firsts, into.first, into)
        return into

    def _register(self, call: _Open, leg: Leg) -> None:
        self.open[leg.group] = call
        call.keys.add(leg.group)
        if self.link:
            for name in (leg.channel, leg.peer):
                if name:
                    self.channels[name] = call
                    call.keys.add(name)

    def _close(self, now: float) -> list[list[Leg]]:
        done: list[list[Leg]] = []
        heap = self._deadlines
        while heap and heap[0][0] < now:
            deadline, _, call = heapq.heappop(heap)
            if call.closed or deadline != call.last + self.window:
                continue  # merged, or extended by a later leg (a newer entry is queued)
            call.closed = True
            for key in call.keys:
                if self.open.get(key) is call:
                    del self.open[key]
                if self.channels.get(key) is call:
                    del self.channels[key]
            done.append(call.legs)
        return done


def call_of(legs: list[Leg], unknown: frozenset[str]) -> CallRecord | None:
    """The queue call that a group of legs was, or ``None`` when no leg was in a queue.

    - Offered once, in the queue of the earliest queue leg, at its start.
    - Answered when a leg to an agent was answered: the earliest answered agent leg gives
      the agent and the answer time; an answered leg of another agent after it makes the
      call a transfer to that agent, ending at the first agent's leg end.
    - Otherwise the queue leg's outcome when it says abandoned or an exit, else abandoned:
      a CDR says ANSWERED when Queue() answered the caller, whether an agent did or not. It
      ends with the latest queue leg.
    - The wait is the queue leg's wait cell, else answer (or end) minus queue entry.
    - ``unknown`` (the mapping's) marks the figures the source cannot know.
    """
    queue_legs = sorted((leg for leg in legs if leg.queue_leg), key=lambda leg: leg.record.enqueue)
    if not queue_legs:
        return None
    entry = queue_legs[0]
    q = entry.record
    reached = sorted(
        (leg for leg in legs if leg.agent_leg and leg.record.outcome in CONNECTED),
        key=lambda leg: leg.record.answer,
    )
    call = CallRecord(
        call_id=q.call_id,
        queue=q.queue,
        agent="",
        caller=q.caller,
        target="",
        outcome=q.outcome if q.outcome not in CONNECTED else Outcome.ABANDONED,
        enqueue=q.enqueue,
        wait=entry.wait,
        talk=None,
        hold=None,
        wrap=None,
        end=q.end,
    )
    if not reached:
        # The caller's last queue record ends when the caller left (the first may be a member
        # that stopped ringing, when Asterisk reused the caller's record for it).
        call.end = max(leg.record.end for leg in queue_legs)
        call.wait = round(call.end - q.enqueue, 3) if call.wait is None else call.wait
        call.wait_unknown = "abandon_wait" in unknown
        return call
    first = reached[0]
    moved = next((leg for leg in reached[1:] if leg.agent != first.agent), None)
    call.agent, call.hold, call.wrap = first.agent, first.record.hold, first.record.wrap
    if "agent" in unknown:  # the source does not say who: credit no one rather than a guess
        call.agent = ""
    call.answer = max(first.record.answer, q.enqueue)
    call.end = max(first.record.end, call.answer)
    call.outcome = Outcome.ANSWERED
    if moved is not None:
        call.outcome, call.target = Outcome.TRANSFERRED, moved.agent
    elif q.outcome is Outcome.TRANSFERRED or q.target:
        call.outcome, call.target = Outcome.TRANSFERRED, q.target
    call.wait = round(call.answer - q.enqueue, 3) if call.wait is None else call.wait
    call.talk = round(call.end - call.answer, 3) if first.talk is None else first.talk
    call.wait_unknown = "wait" in unknown
    call.talk_unknown = "talk" in unknown
    return call


def mark_unknown(call: CallRecord, unknown: frozenset[str]) -> None:
    """Flag the figures of a one-row call that the source cannot know."""
    if "agent" in unknown:
        call.agent = ""
    if call.outcome in CONNECTED:
        call.wait_unknown = "wait" in unknown
        call.talk_unknown = "talk" in unknown
    else:
        call.wait_unknown = "abandon_wait" in unknown
