"""The run-time state of a simulation: its calls, queues and agents, and their states.

These are mutable, slotted and plain on purpose: the engine touches them on every simulated
event, and a run of a large center holds hundreds of thousands of them.
"""

from __future__ import annotations

from collectors.simulator.model import AgentConfig, QueueConfig

# Where a call is (WAITING in the queue, RINGING an agent, CONNECTED, DONE) and what an agent is
# doing (OFF shift, IDLE, RING-ing, on a call: TALK, in wrap-up: ACW, PAUSED).
WAITING, RINGING, CONNECTED, DONE = range(4)
OFF, IDLE, RING, TALK, ACW, PAUSED = range(6)


class Call:
    """A call from its arrival in the queue until it is answered or leaves."""

    __slots__ = ("id", "q", "enq", "pos0", "state", "agent", "ring_at", "token", "outcome")

    def __init__(self, call_id: str, queue: Queue, enq: float, pos0: int) -> None:
        self.id, self.q, self.enq, self.pos0 = call_id, queue, enq, pos0
        self.state = WAITING
        self.agent: Agent | None = None
        self.ring_at = 0.0
        self.token = 0
        self.outcome: tuple[str, float, float | None] = ("", 0.0, None)


class Queue:
    """A queue: its waiting callers, how many agents are logged in, who may answer."""

    __slots__ = ("cfg", "calls", "members", "agents", "next_t")

    def __init__(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.calls: dict[str, Call] = {}  # everyone still in the queue, in arrival order
        self.members = 0
        self.agents: list[Agent] = []
        self.next_t = 0.0


class Agent:
    """An agent: state, current call, and the shift's pause plan and pending wishes."""

    __slots__ = (
        "cfg", "queues", "state", "idle_since", "ready_at", "call", "plan",
        "pauses", "pause_i", "pause_token", "want_pause", "want_logout",
    )  # fmt: skip

    def __init__(self, cfg: AgentConfig) -> None:
        self.cfg = cfg
        self.queues: list[Queue] = []
        self.state = OFF
        self.idle_since = self.ready_at = 0.0
        self.call: Call | None = None
        self.plan = 0  # which shift the timers belong to; stale timers are ignored
        self.pauses: list[tuple[float, str, float]] = []
        self.pause_i = self.pause_token = 0
        self.want_pause = self.want_logout = False


def names_of(call: Call) -> tuple[str, str, str]:
    """Call id, queue and agent of a call, as ``Simulation._emit`` takes them."""
    return call.id, call.q.cfg.name, call.agent.cfg.name if call.agent else ""
