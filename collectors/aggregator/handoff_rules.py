"""Calls transferred from one queue into another under another call id.

Asterisk (seen on FreePBX 2024) logs an attended transfer of a caller from queue A into queue B
so: the ``ENTERQUEUE`` in B carries the agent's *consultation* call id (K), while the ``CONNECT``
and the ``COMPLETE*`` in B carry the original caller's id (O), whose ``ENTERQUEUE`` was in A. The
transfer line itself (``BLINDTRANSFER``/``ATTENDEDTRANSFER``) may be written in A under K or
under O, before or after the ``CONNECT`` in B. Read line by line, B would offer one call twice,
K would wait in B until it went stale, and O would stay connected in A.

These rules pair the two (``docs/queue-log-transfers.md`` is the user-facing description):

- a ``CONNECT`` for a call its queue does not hold takes over a *waiting* entry of that queue
  (its consultation), which then becomes the original call there: no second offer, the wait is
  the consultation's, and the call in the queue it came from ends as a transfer into this one;
- a transfer line under a call id its queue does not hold, by an agent connected to another
  call of that queue, is that call's transfer (the line's id is the consultation's);
- an end line for a call that already left its queue this way counts nothing.

What a call carried out of a queue is remembered (a :class:`Handoff`, persisted with the live
state and forgotten after the stale-waiting limit or beyond ``MAX_HANDOFFS``). Everything here
runs only for a call its queue does not hold, or for a transfer: enqueue, answer and complete
of a known call never come here.
"""

from __future__ import annotations

from typing import Final

from collectors.aggregator.call_rules import TRANSFER, CallRules
from collectors.aggregator.state import RINGING, Handoff, LiveCall, call_key
from collectors.events import Event

# A bound on remembered hand-offs whatever the expiry: the oldest goes first.
MAX_HANDOFFS: Final = 10_000


def extension(agent: str) -> str:
    """The extension in a queue member's name: ``Local/1001@from-queue/n``, ``PJSIP/1001`` and
    ``Agent/1001`` give ``1001``; a name without a technology prefix is returned as it is."""
    if "/" not in agent:
        return agent
    rest = agent.split("/", 1)[1]
    return rest.split("@", 1)[0].split("/", 1)[0]


def same_agent(caller: str, agent: str) -> bool:
    """Whether a consultation's caller id is the transferring agent: the agent's phone placed
    the consultation call, so its caller id is the agent's extension."""
    if not caller or not agent:
        return False
    return caller == agent or caller == extension(agent)


class HandoffRules(CallRules):
    """Pairs a transfer's consultation entry with the original call (see the module doc)."""

    # -- a CONNECT for a call its queue does not hold -------------------------------------

    def _take_consultation(self, ev: Event) -> LiveCall | None:
        origin = self._origin(ev)
        entry = self._rung_entry(ev)
        if entry is None and origin is not None:
            entry = self._pick_entry(ev, origin)
        if entry is None:
            return None
        return self._take_over(entry, ev, origin)

    def _origin(self, ev: Event) -> Handoff | None:
        """Where the answered call comes from: a transfer out of another queue remembered and
        not paired yet, or a call connected in another queue now (the transfer line not seen
        yet); ``None`` when there is no sign of either."""
        known = self.handoffs.get(ev.call_id)
        if known is not None:
            return None if known.target or known.queue == ev.queue else known
        found: LiveCall | None = None
        for call in self.calls.values():
            if call.call_id != ev.call_id or call.queue == ev.queue or call.answered is None:
                continue
            if found is None or (found.answered or 0.0) < call.answered:
                found = call  # connected in two other queues: the latest answer
        if found is None:
            return None
        return Handoff(
            call_id=found.call_id,
            queue=found.queue,
            agent=found.agent,
            answered=found.answered or found.enqueued,
            at=ev.ts,
            caller=found.caller,
            source=found.source,
        )

    def _waiting_for(self, entry: LiveCall | None, ev: Event) -> bool:
        """Whether ``entry`` may be the consultation of the call ``ev`` answers: still waiting
        at the answer, and not the consultation of another call."""
        if entry is None or entry.answered is not None or entry.enqueued > ev.ts:
            return False
        linked = self._consults.get(entry.call_id, ev.call_id)
        return linked == ev.call_id and entry.call_id != ev.call_id

    def _rung_entry(self, ev: Event) -> LiveCall | None:
        """The entry the answering agent was being rung for (``AGENTCALLED``/``RING``), when
        it is another call of this queue, still waiting: the exact evidence."""
        agent = self.agents.get(ev.agent) if ev.agent else None
        if agent is None or agent.activity != RINGING or agent.call_queue != ev.queue:
            return None
        entry = self.calls.get(call_key(ev.queue, agent.call_id))
        return entry if self._waiting_for(entry, ev) else None

    def _pick_entry(self, ev: Event, origin: Handoff) -> LiveCall | None:
        """The waiting entry of ``ev``'s queue that is ``origin``'s consultation.

        An entry qualifies when it entered the queue after the original call was answered and
        still waits. Named by a transfer line under its id, it is the one. Otherwise entries
        are ranked by their evidence: the caller id is the transferring agent (an attended
        transfer: the agent's phone placed the consultation), then the caller id is the
        original caller's (a blind transfer through a local channel keeps it); equal evidence
        goes to the entry enqueued last (an agent consults one call at a time), then the
        greatest call id. An entry with no evidence but its timing is taken only when it is
        the only one that qualifies.
        """
        if origin.consult:
            entry = self.calls.get(call_key(ev.queue, origin.consult))
            return entry if self._waiting_for(entry, ev) else None
        best: LiveCall | None = None
        best_rank = (False, False, 0.0, "")
        qualified = 0
        for entry in self.calls.values():
            if entry.queue != ev.queue or entry.enqueued < origin.answered:
                continue
            if not self._waiting_for(entry, ev):
                continue
            qualified += 1
            rank = (
                same_agent(entry.caller, origin.agent),
                bool(origin.caller) and entry.caller == origin.caller,
                entry.enqueued,
                entry.call_id,
            )
            if best is None or rank > best_rank:
                best, best_rank = entry, rank
        if best is None or (not (best_rank[0] or best_rank[1]) and qualified > 1):
            return None
        return best

    def _take_over(self, entry: LiveCall, ev: Event, origin: Handoff | None) -> LiveCall:
        """The consultation entry becomes the original call's entry in this queue: offered
        once (at the consultation's enqueue), waiting since then; the call ends in its origin
        queue as a transfer into this one."""
        del self.calls[entry.key]
        self.dirty_calls.add(entry.key)
        self._release_ringing(entry.call_id, ev.ts)  # the members rung with the answering one
        caller = origin.caller if origin is not None and origin.caller else entry.caller
        call = LiveCall(
            call_id=ev.call_id,
            queue=ev.queue,
            enqueued=entry.enqueued,
            caller=caller,
            position=entry.position,
            did=entry.did,
            ring_no_answer=entry.ring_no_answer,
            source=entry.source or ev.source,
        )
        self.calls[call.key] = call
        if origin is None:  # paired by the ring alone: the origin queue is not known yet
            origin = Handoff(
                call_id=ev.call_id, queue="", agent="", answered=entry.enqueued, at=ev.ts,
                source=call.source,
            )  # fmt: skip
        elif origin.queue:
            self._end_in_origin(origin, ev)
        record = self.handoffs.get(ev.call_id) or origin
        record.consult, record.target = entry.call_id, ev.queue
        self._keep(record)
        return call

    def _end_in_origin(self, origin: Handoff, ev: Event) -> None:
        """End the call still connected in the queue it came from, as a transfer into ``ev``'s
        queue at the time of ``ev`` (its talk runs from its answer to then)."""
        live = self.calls.get(call_key(origin.queue, origin.call_id))
        if live is None or live.answered is None:
            return
        self._end_handled(
            ev._replace(
                kind=TRANSFER, queue=origin.queue, agent=live.agent, wait=None, talk=None,
                hold=None, wrap=None, ring=None, position=None, reason="transfer",
                target=ev.queue,
            )
        )  # fmt: skip

    # -- end lines of a call its queue does not hold ----------------------------------------

    def _ended_before(self, ev: Event) -> bool:
        original = self._consults.get(ev.call_id, ev.call_id)
        record = self.handoffs.get(original)
        if record is None:
            return ev.kind == TRANSFER and self._transfer_by_agent(ev)
        if ev.queue == record.queue:
            return True  # a line under either id in the queue the call left: counted there
        if ev.queue == record.target and ev.call_id == record.consult:
            return True  # the consultation entry's own end: it became the original call
        if not record.queue and ev.kind == TRANSFER and ev.call_id == record.consult:
            return self._origin_found(record, ev)
        return False

    def _transfer_by_agent(self, ev: Event) -> bool:
        """A transfer line under an id its queue does not hold, by an agent connected to
        another call of that queue (or who just transferred one): the line is about that call,
        written under its consultation's id."""
        agent = self.agents.get(ev.agent) if ev.agent else None
        if agent is None:
            return False
        live = self.calls.get(call_key(ev.queue, agent.call_id)) if agent.call_id else None
        if live is not None and live.answered is not None and agent.call_queue == ev.queue:
            self._end_as(live.call_id, ev)
            self._link_consult(live.call_id, ev.call_id)
            return True
        record = self.handoffs.get(agent.last_call_id) if agent.last_call_id else None
        if record is None or record.queue != ev.queue or record.agent != ev.agent:
            return False
        if record.consult:
            return False
        self._link_consult(record.call_id, ev.call_id)  # the line under the original came first
        return True

    def _origin_found(self, record: Handoff, ev: Event) -> bool:
        """A call paired by the ring alone meets its transfer line in its origin queue."""
        live = self.calls.get(call_key(ev.queue, record.call_id))
        record.queue, record.agent = ev.queue, ev.agent
        self._keep(record)
        if live is None or live.answered is None:
            return False  # never seen connected here: count the line as any unknown transfer
        self._end_as(record.call_id, ev)
        return True

    def _end_as(self, original: str, ev: Event) -> None:
        """Apply a transfer line written under another id to the original call. Its wait and
        talk may be the consultation's: the original's come from its own times."""
        self._end_handled(ev._replace(call_id=original, wait=None, talk=None))

    # -- the memory -----------------------------------------------------------------------

    def _remember_transfer(self, call: LiveCall, ev: Event, agent: str) -> None:
        old = self.handoffs.get(call.call_id)
        record = Handoff(
            call_id=call.call_id,
            queue=call.queue,
            agent=agent,
            answered=call.answered if call.answered is not None else ev.ts,
            at=ev.ts,
            caller=call.caller,
            source=call.source or ev.source,
        )
        if old is not None and old.queue in ("", call.queue):
            record.consult, record.target = old.consult, old.target
        self._keep(record)

    def _link_consult(self, original: str, consult: str) -> None:
        record = self.handoffs.get(original)
        if record is not None and not record.consult:
            record.consult = consult
            self._keep(record)

    def _keep(self, record: Handoff) -> None:
        """Store (or refresh) a record, newest last, within ``MAX_HANDOFFS``."""
        old = self.handoffs.pop(record.call_id, None)
        if old is not None and old.consult and old.consult != record.consult:
            self._consults.pop(old.consult, None)
        self.handoffs[record.call_id] = record
        if record.consult:
            self._consults[record.consult] = record.call_id
        self.dirty_handoffs.add(record.call_id)
        while len(self.handoffs) > MAX_HANDOFFS:
            self._forget(next(iter(self.handoffs)))

    def _forget(self, call_id: str) -> None:
        record = self.handoffs.pop(call_id, None)
        if record is None:
            return
        if record.consult and self._consults.get(record.consult) == call_id:
            del self._consults[record.consult]
        self.dirty_handoffs.add(call_id)

    def expire_stale(self, *, now: float, max_waiting: float, max_connected: float) -> int:
        """Also forget hand-offs older than ``max_waiting`` on their source's clock: by then
        any consultation entry they could pair with has been closed as stale."""
        closed = super().expire_stale(now=now, max_waiting=max_waiting, max_connected=max_connected)
        clock = self.source_clock
        old = [
            r.call_id
            for r in self.handoffs.values()
            if clock.get(r.source, 0.0) - r.at > max_waiting
        ]
        for call_id in old:
            self._forget(call_id)
        return closed

    def rebuild_indexes(self) -> None:
        """After loading live state: also the consultation index, oldest hand-offs first."""
        super().rebuild_indexes()
        self.handoffs = dict(sorted(self.handoffs.items(), key=lambda kv: kv[1].at))
        self._consults = {r.consult: r.call_id for r in self.handoffs.values() if r.consult}
