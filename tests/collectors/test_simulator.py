"""The call-center simulator: determinism, lifecycles, realism, queue_log rendering, pacing."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
import redis

from collectors.events import Event, Kind, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.simulator import (
    AgentConfig,
    CenterConfig,
    QueueConfig,
    QueueLogFileSink,
    QueueLogWriter,
    ShiftConfig,
    default_center,
    generate,
    run,
    run_id_for,
)

MONDAY = datetime(2024, 3, 4, tzinfo=UTC)
DAY = 86400.0
TERMINAL = {
    Kind.COMPLETE,
    Kind.TRANSFER,
    Kind.ABANDON,
    Kind.EXIT_TIMEOUT,
    Kind.EXIT_EMPTY,
    Kind.EXIT_KEY,
}


def simulate(
    *,
    seed: int = 7,
    start: datetime = MONDAY,
    hours: float = 24,
    config: CenterConfig | None = None,
) -> list[Event]:
    config = config or default_center()
    return list(generate(config=config, seed=seed, start=start, end=start + timedelta(hours=hours)))


@cache
def two_days() -> tuple[Event, ...]:
    """Monday and Tuesday of the default center, plus 2 h so that Tuesday's calls can finish."""
    return tuple(simulate(hours=50))


def calls(events: Sequence[Event]) -> dict[str, list[Event]]:
    by_call: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.call_id:
            by_call[event.call_id].append(event)
    return by_call


def finished_calls(events: Sequence[Event], *, before: float) -> dict[str, list[Event]]:
    """Calls that entered the queue before ``before`` (they have had time to end)."""
    return {c: evs for c, evs in calls(events).items() if evs[0].ts < before}


# -- determinism and identity --------------------------------------------------------------------


def test_same_seed_and_start_give_the_same_events_and_a_shorter_run_is_a_prefix() -> None:
    first = simulate(hours=6)
    assert first == simulate(hours=6)
    shorter = simulate(hours=3)
    assert first[: len(shorter)] == shorter
    assert all(e.ts < MONDAY.timestamp() + 3 * 3600 for e in shorter)


def test_another_seed_or_start_gives_other_events_and_other_ids() -> None:
    base = simulate(hours=3)
    other_seed = simulate(seed=8, hours=3)
    later = simulate(start=MONDAY + timedelta(minutes=1), hours=3)
    assert [e.call_id for e in base if e.kind == Kind.ENQUEUE] != [
        e.call_id for e in other_seed if e.kind == Kind.ENQUEUE
    ]
    ids = {e.event_id for e in base}
    assert ids.isdisjoint(e.event_id for e in other_seed)
    assert ids.isdisjoint(e.event_id for e in later)


def test_event_ids_source_and_order() -> None:
    events = two_days()
    config = default_center()
    run_id = run_id_for(config=config, seed=7, start=MONDAY.timestamp())
    assert {e.source for e in events} == {f"sim:{run_id}"}
    assert [e.event_id for e in events[:3]] == [f"sim:{run_id}:{n}" for n in (1, 2, 3)]
    assert len({e.event_id for e in events}) == len(events)
    assert all(a.ts <= b.ts for a, b in zip(events, events[1:], strict=False))
    assert all(e.ts == int(e.ts) for e in events)  # whole seconds, like queue_log


def test_every_kind_of_event_appears_in_a_simulated_day() -> None:
    day = [e for e in two_days() if e.ts < MONDAY.timestamp() + DAY]
    kinds = Counter(e.kind for e in day)
    expected = set(Kind) - {Kind.CALL_INFO, Kind.SYSTEM_START}
    assert expected <= set(kinds), expected - set(kinds)
    transfer_kinds = {e.reason for e in day if e.kind == Kind.TRANSFER}
    assert transfer_kinds == {"blind", "attended", "transfer"}
    reasons = {e.reason for e in day if e.kind == Kind.PAUSE}
    assert {"break", "lunch", "dinner"} <= reasons
    assert {e.reason for e in day if e.kind == Kind.RING_NO_ANSWER} == {"", "canceled"}
    assert {e.reason for e in day if e.kind == Kind.COMPLETE} == {"agent", "caller"}
    assert {e.score for e in day if e.kind == Kind.SURVEY} == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert any(e.hold for e in day if e.kind == Kind.COMPLETE)
    assert any(e.hold is None for e in day if e.kind == Kind.COMPLETE)


# -- call lifecycles -----------------------------------------------------------------------------


def test_every_call_ends_exactly_once_and_consistently() -> None:
    events = two_days()
    finished = finished_calls(events, before=MONDAY.timestamp() + 2 * DAY)
    assert len(finished) > 1500
    for call_id, evs in finished.items():
        kinds = [e.kind for e in evs]
        assert kinds[0] == Kind.ENQUEUE, call_id
        assert kinds.count(Kind.ENQUEUE) == 1
        ends = [e for e in evs if e.kind in TERMINAL]
        assert len(ends) == 1, (call_id, kinds)
        end = ends[0]
        answers = [e for e in evs if e.kind == Kind.ANSWER]
        assert len(answers) == (1 if end.kind in (Kind.COMPLETE, Kind.TRANSFER) else 0), kinds
        assert len({e.queue for e in evs}) == 1
        assert end.wait is not None
        if answers:
            check_answered(evs, answers[0], end)
        else:
            assert end.wait == end.ts - evs[0].ts
            assert Kind.SURVEY not in kinds


def check_answered(evs: list[Event], answer: Event, end: Event) -> None:
    enqueue = evs[0]
    rings = [e for e in evs if e.kind == Kind.RING and e.ts <= answer.ts]
    assert rings[-1].agent == answer.agent
    assert answer.wait == answer.ts - enqueue.ts
    assert answer.ring == answer.ts - rings[-1].ts
    assert answer.ring is not None and answer.wait >= answer.ring
    assert end.agent == answer.agent and end.wait == answer.wait
    assert end.talk is not None and end.talk >= 10
    assert end.ts - answer.ts == end.talk + (end.hold or 0)
    surveys = [e for e in evs if e.kind == Kind.SURVEY]
    assert len(surveys) <= 1
    if surveys:
        assert end.kind == Kind.COMPLETE and surveys[0].ts > end.ts
    if end.kind == Kind.TRANSFER:
        assert "@" in end.target


def test_exits_carry_what_the_mapping_needs() -> None:
    events = two_days()
    config = {q.name: q for q in default_center().queues}
    for event in events:
        if event.kind == Kind.EXIT_TIMEOUT:
            assert event.wait == config[event.queue].max_wait
        if event.kind == Kind.EXIT_KEY:
            assert event.reason in {"0", "1"} and event.wait is not None and event.wait >= 20
        if event.kind in (Kind.ABANDON, Kind.EXIT_EMPTY, Kind.EXIT_KEY, Kind.EXIT_TIMEOUT):
            assert event.position is not None and event.position >= 1
        if event.kind == Kind.ENQUEUE:
            assert event.position is not None and event.target.isdigit()
    short = [e for e in events if e.kind == Kind.ABANDON and e.wait is not None and e.wait < 5]
    assert short


#: The agent events whose rules ``apply_agent_event`` checks.
AGENT_KINDS = {
    Kind.LOGIN,
    Kind.LOGOUT,
    Kind.MEMBER_ADD,
    Kind.MEMBER_REMOVE,
    Kind.PAUSE,
    Kind.UNPAUSE,
    Kind.RING,
    Kind.RING_NO_ANSWER,
    Kind.COMPLETE,
    Kind.TRANSFER,
    Kind.ANSWER,
    Kind.ACW_START,
    Kind.ACW_END,
}


class AgentState:
    def __init__(self) -> None:
        self.logged_in = False
        self.paused = False
        self.call = ""  # ringing or connected call
        self.wrapping = False
        self.queues: set[str] = set()


def test_agents_take_one_call_at_a_time_only_when_logged_in_available_and_skilled() -> None:
    events = two_days()
    skills = {a.name: set(a.skills) for a in default_center().agents}
    agents: dict[str, AgentState] = defaultdict(AgentState)
    checked: Counter[str] = Counter()
    for event in events:
        if event.agent:
            apply_agent_event(agents[event.agent], event, skills[event.agent])
            checked[event.kind] += 1
    # The rules were checked on events of every kind they are about, not on an empty run.
    assert set(checked) >= AGENT_KINDS, AGENT_KINDS - set(checked)
    assert checked[Kind.ANSWER] > 1500 and len(agents) >= 8, checked


def apply_agent_event(state: AgentState, e: Event, skills: set[str]) -> None:  # noqa: C901
    where = f"{e.kind} {e.agent} at {e.ts}"
    if e.kind == Kind.LOGIN:
        assert not state.logged_in, where
        state.logged_in = True
    elif e.kind == Kind.LOGOUT:
        assert state.logged_in and not state.call and not state.wrapping and not state.paused
        assert not state.queues, where
        state.logged_in = False
    elif e.kind == Kind.MEMBER_ADD:
        assert state.logged_in and e.queue in skills, where
        state.queues.add(e.queue)
    elif e.kind == Kind.MEMBER_REMOVE:
        state.queues.remove(e.queue)
    elif e.kind == Kind.PAUSE:
        assert state.logged_in and not state.paused and not state.call and not state.wrapping
        state.paused = True
    elif e.kind == Kind.UNPAUSE:
        assert state.paused, where
        state.paused = False
    elif e.kind == Kind.RING:
        assert state.logged_in and not state.paused and not state.call, where
        assert not state.wrapping and e.queue in state.queues, where
        state.call = e.call_id
    elif e.kind == Kind.RING_NO_ANSWER or e.kind in (Kind.COMPLETE, Kind.TRANSFER):
        assert state.call == e.call_id, where
        state.call = ""
    elif e.kind == Kind.ANSWER:
        assert state.call == e.call_id, where
    elif e.kind == Kind.ACW_START:
        state.wrapping = True
    elif e.kind == Kind.ACW_END:
        assert state.wrapping and e.wrap is not None and e.wrap >= 3, where
        state.wrapping = False


# -- realism -------------------------------------------------------------------------------------


def test_service_level_and_abandon_rate_are_realistic_for_the_default_center() -> None:
    day = [e for e in two_days() if e.ts < MONDAY.timestamp() + DAY]
    answered = [e for e in day if e.kind == Kind.ANSWER]
    abandons = [e for e in day if e.kind == Kind.ABANDON and e.wait is not None and e.wait >= 5]
    assert 800 < sum(e.kind == Kind.ENQUEUE for e in day) < 2000
    abandon_rate = len(abandons) / (len(answered) + len(abandons))
    assert 0.01 < abandon_rate < 0.12
    within = sum(1 for e in answered if e.wait is not None and e.wait <= 20)
    late_abandons = sum(1 for e in abandons if e.wait is not None and e.wait > 20)
    service_level = within / (len(answered) + late_abandons)
    assert 0.65 < service_level < 0.97


def test_traffic_follows_the_day_and_the_roster_covers_it() -> None:
    events = two_days()
    t0 = MONDAY.timestamp()
    per_hour = Counter(int((e.ts - t0) // 3600) for e in events if e.kind == Kind.ENQUEUE)
    assert per_hour[10] > 4 * per_hour[3]
    online = logged_in_at(events, [t0 + 10.5 * 3600, t0 + 27 * 3600, t0 + 34.5 * 3600])
    assert online[0] >= 8 and online[2] >= 8  # peak, Monday and Tuesday
    assert online[1] >= 2  # 03:00 overnight


def logged_in_at(events: Sequence[Event], moments: list[float]) -> list[int]:
    counts = []
    for moment in moments:
        state: dict[str, bool] = {}
        for e in events:
            if e.ts > moment:
                break
            if e.kind in (Kind.LOGIN, Kind.LOGOUT):
                state[e.agent] = e.kind == Kind.LOGIN
        counts.append(sum(state.values()))
    return counts


def test_shifts_follow_the_center_time_zone() -> None:
    config = default_center(timezone="Asia/Shanghai")
    start = datetime(2024, 3, 4, 12, tzinfo=UTC)  # 20:00 in Shanghai
    events = list(generate(config=config, seed=1, start=start, end=start + timedelta(hours=24)))
    logins = [e for e in events if e.kind == Kind.LOGIN and e.ts > start.timestamp()]
    local_hours = {datetime.fromtimestamp(e.ts, UTC).hour + 8 for e in logins}
    assert local_hours <= {7 + 24, 8 + 24, 19, 20, 7, 8}


def test_a_queue_nobody_serves_empties() -> None:
    config = CenterConfig(
        queues=(QueueConfig("sales", 30), QueueConfig("orphan", 30)),
        agents=(AgentConfig("王芳", "1001", "A", "all", ("sales",)),),
        shifts=(ShiftConfig("all", "00:00", "23:59"),),
    )
    events = simulate(config=config, hours=3, start=MONDAY + timedelta(hours=10))
    orphan = finished_calls(
        [e for e in events if e.queue == "orphan"], before=events[-1].ts - 10
    ).values()
    ends = Counter(evs[-1].kind for evs in orphan)
    assert ends[Kind.EXIT_EMPTY] > 50
    assert set(ends) <= {Kind.EXIT_EMPTY, Kind.ABANDON}  # a caller may hang up within 3 s
    assert all(evs[-1].wait is not None and evs[-1].wait <= 3 for evs in orphan)


def test_bad_configurations_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="at least one agent"):
        default_center(agents=0)
    config = default_center(agents=3)
    bad_skill = AgentConfig("Tom Xu", "1", "A", "early", ("nowhere",))
    with pytest.raises(ValueError, match="unknown queue"):
        CenterConfig(queues=config.queues, agents=(bad_skill,), shifts=config.shifts).check()
    with pytest.raises(ValueError, match="bad queue name"):
        default_center(queues=["a|b"])
    with pytest.raises(ValueError, match="unknown time zone"):
        default_center(timezone="Mars/Olympus")


def test_generation_is_fast_enough_for_backfill() -> None:
    config = default_center()
    began = time.perf_counter()
    week = sum(1 for _ in generate(config=config, seed=3, start=MONDAY, end=MONDAY + timedelta(7)))
    assert week > 20_000
    assert time.perf_counter() - began < 10  # ~0.2 s on a laptop; generous for slow CI


# -- queue_log rendering -------------------------------------------------------------------------


def fields_of(line: str) -> list[str]:
    return line.split("|")


def test_the_writer_follows_the_mapping_for_each_kind() -> None:
    events = two_days()
    writer = QueueLogWriter()
    rendered = [(e, writer.render(e)) for e in events]
    seen: set[str] = set()
    entered: dict[str, str] = {}
    for event, line in rendered:
        if event.kind in (Kind.RING, Kind.ACW_START, Kind.ACW_END):
            assert line is None
            continue
        assert line is not None
        f = fields_of(line)
        assert f[0] == str(int(event.ts))
        assert f[1] == (event.call_id or "NONE") and f[2] == (event.queue or "NONE")
        assert f[3] == (event.agent or "NONE")
        seen.add(f[4])
        if event.kind == Kind.ENQUEUE:
            entered[event.call_id] = f[7]
        check_line(event, f, entered)
    assert {"ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "ABANDON"} <= seen
    assert {"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "TRANSFER", "BLINDTRANSFER"} <= seen
    assert {"ATTENDEDTRANSFER", "RINGNOANSWER", "RINGCANCELED", "ADDMEMBER", "REMOVEMEMBER"} <= seen
    assert {"AGENTLOGIN", "AGENTLOGOFF", "PAUSEALL", "UNPAUSEALL", "SURVEY"} <= seen


def check_line(e: Event, f: list[str], entered: dict[str, str]) -> None:  # noqa: C901
    name = f[4]
    if e.kind == Kind.ENQUEUE:
        assert f[4:] == ["ENTERQUEUE", "", e.target, str(e.position)]
    elif e.kind == Kind.ANSWER:
        assert name == "CONNECT" and f[5] == fmt(e.wait) and f[7] == fmt(e.ring)
    elif e.kind == Kind.COMPLETE:
        assert name == {"agent": "COMPLETEAGENT", "caller": "COMPLETECALLER"}[e.reason]
        assert f[5:] == [fmt(e.wait), fmt((e.talk or 0) + (e.hold or 0)), entered[e.call_id]]
    elif e.kind == Kind.ABANDON:
        assert f[4:] == ["ABANDON", str(e.position), entered[e.call_id], fmt(e.wait)]
    elif e.kind in (Kind.EXIT_TIMEOUT, Kind.EXIT_EMPTY):
        tail = [str(e.position), entered[e.call_id], fmt(e.wait)]
        assert f[5:] == tail and name in ("EXITWITHTIMEOUT", "EXITEMPTY")
    elif e.kind == Kind.EXIT_KEY:
        assert f[4:] == ["EXITWITHKEY", e.reason, str(e.position), entered[e.call_id], fmt(e.wait)]
    elif e.kind == Kind.TRANSFER:
        check_transfer(e, f, entered[e.call_id])
    elif e.kind == Kind.RING_NO_ANSWER:
        assert f[4] == ("RINGCANCELED" if e.reason == "canceled" else "RINGNOANSWER")
        assert f[5] == str(round((e.ring or 0) * 1000))
    elif e.kind == Kind.SURVEY:
        assert f[4:] == ["SURVEY", f"{e.score:g}"]
    elif e.kind == Kind.PAUSE:
        assert f[4:] == ["PAUSEALL", e.reason]
    elif e.kind == Kind.LOGIN:
        assert f[4:] == ["AGENTLOGIN", e.target] and e.target.startswith("PJSIP/")


def check_transfer(e: Event, f: list[str], entered: str) -> None:
    tail = [fmt(e.wait), fmt((e.talk or 0) + (e.hold or 0)), entered]
    ext, context = e.target.split("@")
    if e.reason == "attended":
        assert f[4:] == ["ATTENDEDTRANSFER", "BRIDGE", e.target, *tail]
    else:
        assert f[4] == ("BLINDTRANSFER" if e.reason == "blind" else "TRANSFER")
        assert f[5:] == [ext, context, *tail]


def fmt(value: float | None) -> str:
    assert value is not None
    return str(round(value))


def test_logoff_carries_the_time_logged_in() -> None:
    t0 = MONDAY.timestamp()
    writer = QueueLogWriter(channels={"Tom Xu": "PJSIP/1016"})
    login = Event(Kind.LOGIN, t0, "s", "1", agent="Tom Xu")
    logout = Event(Kind.LOGOUT, t0 + 3600, "s", "2", agent="Tom Xu")
    assert writer.render(login) == f"{int(t0)}|NONE|NONE|Tom Xu|AGENTLOGIN|PJSIP/1016"
    assert writer.render(logout) == f"{int(t0) + 3600}|NONE|NONE|Tom Xu|AGENTLOGOFF|PJSIP/1016|3600"


def test_round_trip_through_the_queue_log_parser() -> None:
    parser = pytest.importorskip("collectors.queue_log.decoder")
    events = two_days()
    lines = QueueLogWriter().render_all(events)
    parsed, rejects = parser.parse_lines(lines, source="queue_log:sim", path_label="sim")
    assert rejects == []
    originals = [e for e in events if e.kind not in (Kind.RING, Kind.ACW_START, Kind.ACW_END)]
    assert len(parsed) == len(originals)
    compared = ("kind", "ts", "call_id", "queue", "agent", "wait", "ring", "position", "score")
    for mine, theirs in zip(originals, parsed, strict=True):
        for name in compared:
            assert getattr(theirs, name) == getattr(mine, name), (name, mine, theirs)
        if mine.kind in (Kind.COMPLETE, Kind.TRANSFER):
            assert theirs.talk == (mine.talk or 0) + (mine.hold or 0)  # Asterisk calltime
            assert (theirs.reason, theirs.target) == (mine.reason, mine.target)
        if mine.kind in (Kind.PAUSE, Kind.EXIT_KEY, Kind.ENQUEUE):
            assert (theirs.reason, theirs.target) == (mine.reason, mine.target)
    assert len({e.event_id for e in parsed}) == len(parsed)


def test_the_file_sink_appends_lines(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    sink = QueueLogFileSink(path)
    events = simulate(hours=2)
    sink(events[: len(events) // 2])
    sink(events[len(events) // 2 :])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == QueueLogWriter().render_all(events)
    assert sink.lines == len(lines)


# -- pacing --------------------------------------------------------------------------------------


def test_run_paces_events_by_their_timestamps() -> None:
    start = MONDAY.timestamp() + 10 * 3600
    speed = 3600.0  # one simulated hour per real second
    events = list(generate(config=default_center(), seed=2, start=start, end=start + 1800))
    deliveries: list[tuple[float, Sequence[Event]]] = []
    began = time.monotonic()
    stats = run(
        events=iter(events),
        sink=lambda batch: deliveries.append((time.monotonic(), batch)),
        start=start,
        speed=speed,
        end=start + 1800,
        tick=0.05,
    )
    elapsed = time.monotonic() - began
    assert 0.45 <= elapsed < 2.5  # half a simulated hour at 3600x: half a second
    assert stats.events == len(events) and stats.batches == len(deliveries) > 5
    assert [e for _, batch in deliveries for e in batch] == events
    for delivered, batch in deliveries:
        due = start + (delivered - began) * speed
        assert max(e.ts for e in batch) <= due + speed * 0.02  # never early
    assert stats.clock == start + 1800
    assert stats.offered == sum(e.kind == Kind.ENQUEUE for e in events)


def test_run_stops_when_asked() -> None:
    stop = threading.Event()
    start = MONDAY.timestamp()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    began = time.monotonic()
    stats = run(
        events=generate(config=default_center(), seed=1, start=start),
        sink=lambda batch: None,
        start=start,
        speed=600,
        stop=stop,
        tick=0.05,
    )
    assert time.monotonic() - began < 1.5
    assert 0 < stats.clock - start < 600 * 1.5


def test_fast_run_publishes_everything_to_the_stream(redis_client: redis.Redis, keys: Keys) -> None:
    events = simulate(hours=4)
    producer = EventProducer(redis_client, keys=keys)
    progress: list[int] = []
    stats = run(
        events=events,
        sink=producer.publish,
        start=MONDAY.timestamp(),
        speed=None,
        max_batch=700,
        progress=lambda s: progress.append(s.events),
        progress_every=0,
    )
    assert stats.batches == -(-len(events) // 700)
    frames = redis_client.xrange(keys.events)
    stored = [e for _, fields in frames for e in decode_frame(fields["e"])]
    assert stored == events
    assert progress[-1] == len(events)


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        run(events=[], sink=lambda batch: None, start=0.0, speed=0)
