"""Every queue_log event Asterisk 1.8–22 writes, site-made events, and survey lines.

The fixtures (tests/data/queue_log/asterisk_*.log, site_events.log) imitate what each Asterisk
generation writes; their README section gives the figures checked here. The field layouts
are the ones in app_queue.c's ``ast_queue_log()`` calls (see docs/queue_log.md).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.state import AVAILABLE, ON_CALL, RINGING
from collectors.events import Event, Kind, Reject
from collectors.queue_log.decoder import (
    MAX_IGNORED_VERBS,
    Ignored,
    LineDecoder,
    describe_ignored,
    merge_ignored,
    parse_file,
    parse_line,
    parse_lines,
)
from collectors.queue_log.parser import EVENT_NAMES
from collectors.queue_log.survey import (
    DEFAULT_SURVEY,
    SurveyConfigError,
    SurveyMapping,
    survey_mapping,
)
from dashboard.cli import main
from dashboard.settings import Settings, SettingsError

GOLDEN = Path(__file__).parents[1] / "data" / "queue_log"
GENERATIONS = ("asterisk_1_8", "asterisk_13", "asterisk_16_18", "asterisk_20_22")
SRC = "queue_log:test"
TS = "1710144123"


def one(rest: str, *, survey: SurveyMapping = DEFAULT_SURVEY) -> Event | Reject | Ignored | None:
    return parse_line(f"{TS}|1710144100.12|support|Agent/1001|{rest}", source=SRC,
                      location="q:3", survey=survey)  # fmt: skip


def report(*args: str) -> tuple[list[dict[str, Any]], str]:
    result = CliRunner().invoke(main, ["report", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def day(records: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    [record] = [r for r in records if r["queue"] == queue]
    return record


# --- point 2: every event Asterisk writes is understood ---------------------------------------


@pytest.mark.parametrize("name", GENERATIONS)
def test_each_asterisk_generation_is_read_without_a_reject(name: str) -> None:
    ignored: Counter[str] = Counter()
    events, rejects = parse_file(GOLDEN / f"{name}.log", ignored=ignored)
    lines = (GOLDEN / f"{name}.log").read_text().splitlines()
    assert (rejects, ignored) == ([], Counter())
    assert len(events) == len(lines)


def test_the_golden_files_use_every_event_name_the_parser_knows() -> None:
    names = {
        line.split("|")[4]
        for path in GOLDEN.glob("*.log")
        if path.name != "malformed.log"
        for line in path.read_text().splitlines()
    }
    assert names >= EVENT_NAMES


@pytest.mark.parametrize(
    ("rest", "kind", "reason", "target"),
    [
        ("AGENTDUMP|", Kind.RING_NO_ANSWER, "dump", ""),
        ("AGENTCALLED|PJSIP/6001", Kind.RING, "", ""),
        ("PENALTY|3", Kind.CALL_INFO, "penalty", "3"),
        ("PENALTY|-1", Kind.CALL_INFO, "penalty", "-1"),
        ("RINGINUSE|0", Kind.CALL_INFO, "ringinuse", "0"),
    ],
)
def test_events_rejected_as_unknown_before_are_mapped(
    rest: str, kind: Kind, reason: str, target: str
) -> None:
    e = one(rest)
    assert isinstance(e, Event), e
    assert (e.kind, e.reason, e.target) == (kind, reason, target)


@pytest.mark.parametrize(
    ("rest", "reason"),
    [
        ("PENALTY|high", "bad number: PENALTY penalty='high'"),
        ("RINGINUSE|", "bad number: RINGINUSE ringinuse is empty"),
        ("RINGINUSE", "too few fields: RINGINUSE needs ringinuse"),
    ],
)
def test_a_known_event_with_a_bad_number_is_still_a_reject(rest: str, reason: str) -> None:
    r = one(rest)
    assert isinstance(r, Reject) and r.reason.startswith(reason), r


@pytest.mark.parametrize(
    ("name", "queue", "figures"),
    [
        # offered, answered, abandoned, short, exited, handled, transferred, RNA, talk s
        ("asterisk_1_8", "support", (5, 2, 1, 0, 2, 2, 1, 2, 272)),
        ("asterisk_13", "sales", (5, 2, 0, 1, 2, 2, 2, 1, 274)),
        ("asterisk_16_18", "billing", (5, 3, 1, 1, 0, 3, 2, 1, 812)),
        ("asterisk_20_22", "helpdesk", (4, 2, 1, 0, 1, 2, 1, 2, 273)),
    ],
)
def test_each_generation_counts_as_its_readme_says(
    name: str, queue: str, figures: tuple[int, ...]
) -> None:
    records, stderr = report(str(GOLDEN / f"{name}.log"), "--interval", "day")
    r = day(records, queue)
    got = (r["offered"], r["answered"], r["abandoned"], r["short_abandoned"], r["exited"],
           r["handled"], r["transferred"], r["ring_no_answer"], r["talk_ms"] // 1000)  # fmt: skip
    assert got == figures
    assert r["lost"] == 0
    assert "0 input lines rejected" in stderr and "ignored" not in stderr


def _engine(lines: list[str]) -> Engine:
    events, rejects = parse_lines(lines, source=SRC, path_label="q")
    assert rejects == []
    engine = Engine(AggregatorConfig())
    assert engine.apply_all(events) == 0
    return engine


def test_agentdump_leaves_the_caller_waiting_and_the_agent_available() -> None:
    engine = _engine(
        [
            "1000|c1|support|NONE|ENTERQUEUE||555|1",
            "1004|c1|support|Agent/1|AGENTDUMP|",
        ]
    )
    [call] = engine.calls.values()
    assert (call.answered, call.ring_no_answer) == (None, 1)  # still waiting, one refused offer
    assert engine.agents["Agent/1"].activity == AVAILABLE
    later = _engine(
        [
            "1000|c1|support|NONE|ENTERQUEUE||555|1",
            "1004|c1|support|Agent/1|AGENTDUMP|",
            "1010|c1|support|Agent/2|CONNECT|10|c2|3",
        ]
    )
    assert later.agents["Agent/2"].activity == ON_CALL
    assert later.agents["Agent/1"].activity == AVAILABLE


def test_agentcalled_rings_and_the_answer_stops_every_other_ring() -> None:
    engine = _engine(
        [
            "1000|c1|q|NONE|ENTERQUEUE||5|1",
            "1001|c1|q|A|AGENTCALLED|",
            "1001|c1|q|B|AGENTCALLED|",
        ]
    )
    assert {n: a.activity for n, a in engine.agents.items()} == {"A": RINGING, "B": RINGING}
    answered = _engine(
        [
            "1000|c1|q|NONE|ENTERQUEUE||5|1",
            "1001|c1|q|A|AGENTCALLED|",
            "1001|c1|q|B|AGENTCALLED|",
            "1005|c1|q|B|CONNECT|5|c1.2|4",
        ]
    )
    assert {n: a.activity for n, a in answered.agents.items()} == {"A": AVAILABLE, "B": ON_CALL}


def test_a_member_added_paused_by_the_ami_is_paused() -> None:
    e = one("ADDMEMBER|PAUSED")
    assert isinstance(e, Event) and (e.kind, e.reason) == (Kind.MEMBER_ADD, "paused")
    engine = _engine(
        [
            "1000|MANAGER|sales|PJSIP/3002|ADDMEMBER|PAUSED",
            "1001|CLI|sales|PJSIP/3003|ADDMEMBER|",
        ]
    )
    paused, ready = engine.agents["PJSIP/3002"], engine.agents["PJSIP/3003"]
    assert (paused.logged_in, paused.paused, paused.queues) == (True, True, ["sales"])
    assert (ready.logged_in, ready.paused) == (True, False)


def test_member_settings_change_no_agent_and_no_call() -> None:
    engine = _engine(
        [
            "1000|NONE|billing|PJSIP/4002|RINGINUSE|1",
            "1001|NONE|billing|PJSIP/4002|PENALTY|2",
        ]
    )
    assert (engine.calls, engine.agents) == ({}, {})  # the interface is not an agent


# --- point 3: site-made events are counted, not rejected ---------------------------------------


def test_site_made_events_are_ignored_and_counted_by_verb() -> None:
    ignored: Counter[str] = Counter()
    events, rejects = parse_file(GOLDEN / "site_events.log", ignored=ignored)
    assert ignored == Counter(
        {"RINGING": 3, "CSAT": 2, "POSTCALLSURVEY": 1, "CALLERONHOLD": 1, "CALLEROFFHOLD": 1,
         "JOINEMPTY": 1}
    )  # fmt: skip
    assert len(events) == 9
    assert [r.location.rsplit(":", 1)[1] for r in rejects] == ["18", "19"]
    assert describe_ignored(ignored) == (
        "ignored: 9 lines of custom events (RINGING \u00d73, CSAT \u00d72, CALLEROFFHOLD \u00d71, "
        "CALLERONHOLD \u00d71, JOINEMPTY \u00d71, POSTCALLSURVEY \u00d71)"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1710144123|c|q|a|ringing|", "unknown event: 'ringing' is not an event verb"),
        ("1710144123|c|q|a|RING ING|", "unknown event: 'RING ING' is not an event verb"),
        ("1710144123|c|q|a|9LIVES|", "unknown event: '9LIVES' is not an event verb"),
        ("1710144123|c|q|a|" + "X" * 33 + "|", "unknown event: 'XXXX"),
        ("1710144123|c|q|a||", "unknown event: (empty event name)"),
        ("17101441x3|c|q|a|RINGING|", "bad epoch: '17101441x3' is not a number"),
        ("1710144123000|c|q|a|RINGING|", "bad epoch: '1710144123000' is out of range"),
        ("1710144123|c|RINGING", "too few fields: 3"),
    ],
)
def test_a_malformed_custom_line_stays_a_reject(line: str, reason: str) -> None:
    r = parse_line(line, source=SRC, location="q:9")
    assert isinstance(r, Reject) and r.reason.startswith(reason), r


def test_a_custom_line_is_ignored_with_its_verb() -> None:
    assert one("RINGING|") == Ignored(SRC, "q:3", "RINGING")
    assert one("X_2") == Ignored(SRC, "q:3", "X_2")  # no data field at all is fine


def test_the_count_of_custom_verbs_stays_bounded() -> None:
    lines = [f"1|c|q|a|V{n}|" for n in range(150)] * 2
    ignored: Counter[str] = Counter()
    parse_lines(lines, source=SRC, path_label="q", ignored=ignored)
    merge_ignored(ignored, Counter({"V0": 1, "NEW": 5}))
    assert len(ignored) == MAX_IGNORED_VERBS + 1
    assert (ignored["V0"], ignored["(other)"], ignored.total()) == (3, 50 * 2 + 5, 306)
    assert describe_ignored(ignored).endswith(", and 91 more verbs)")


def test_the_decoder_hands_over_its_counts_once() -> None:
    decoder = LineDecoder(source=SRC, path_label="q")
    decoder.feed(b"1|c|q|a|RINGING|\n1|c|q|a|RINGING|\n1|c|q|NONE|ENTERQUEUE||5|1\n")
    assert decoder.take_ignored() == Counter({"RINGING": 2})
    assert decoder.take_ignored() == Counter()


def test_the_report_names_the_custom_events_once_and_rejects_only_bad_lines() -> None:
    _, stderr = report(str(GOLDEN / "site_events.log"), "--interval", "day")
    assert "2 input lines rejected" in stderr
    assert stderr.count("ignored: 9 lines of custom events (RINGING \u00d73, CSAT \u00d72") == 1
    assert "site_events.log:18: score out of range" in stderr
    assert "RINGING" not in stderr.split("ignored:")[0]  # never listed as a rejected line


# --- point 4: survey lines and other tools' survey verbs ---------------------------------------


def test_survey_verbs_of_other_tools_through_the_mapping() -> None:
    mapping = survey_mapping("SURVEY:1, CSAT, POSTCALLSURVEY:2", "1-5")
    assert mapping.verbs == {"SURVEY": 1, "CSAT": 1, "POSTCALLSURVEY": 2}
    ignored: Counter[str] = Counter()
    events, rejects = parse_file(GOLDEN / "site_events.log", survey=mapping, ignored=ignored)
    surveys = [(e.call_id, e.queue, e.agent, e.score) for e in events if e.kind == Kind.SURVEY]
    call = ("1718000000.1", "support", "PJSIP/6001")
    assert surveys == [(*call, 5.0), (*call, 4.0), (*call, 2.0)]
    assert [r.reason for r in rejects][-1] == "bad number: CSAT score is empty"
    assert "CSAT" not in ignored and ignored["RINGING"] == 3


@pytest.mark.parametrize(
    ("rest", "scale", "reason"),
    [
        ("SURVEY|9", "1-5", "score out of range: SURVEY score '9' is outside the survey scale 1-5"),
        ("SURVEY|0", "1-5", "score out of range: SURVEY score '0'"),
        ("SURVEY|-2", "0-10", "score out of range: SURVEY score '-2' is outside the survey scale"),
        ("SURVEY|11", "0-10", "score out of range: SURVEY score '11'"),
        ("SURVEY|five", "1-5", "bad number: SURVEY score='five'"),
        ("SURVEY|inf", "1-5", "bad number: SURVEY score='inf'"),
        ("SURVEY", "1-5", "too few fields: SURVEY needs the score in data field 1"),
    ],
)
def test_an_unusable_score_is_a_clear_reject(rest: str, scale: str, reason: str) -> None:
    r = one(rest, survey=survey_mapping(None, scale))
    assert isinstance(r, Reject) and r.reason.startswith(reason), r


def test_the_scale_bounds_are_valid_scores() -> None:
    ten = survey_mapping(None, "0-10")
    for score in ("0", "10", "7.5"):
        e = one(f"SURVEY|{score}", survey=ten)
        assert isinstance(e, Event) and e.score == float(score)


@pytest.mark.parametrize(
    ("verbs", "scale", "message"),
    [
        ("CONNECT:1", None, "survey verb CONNECT is an Asterisk event"),
        ("csat:1", None, "survey verb 'csat' is not an event verb"),
        ("CSAT:0", None, "the score field must be 1 to 5"),
        ("CSAT:x", None, "the score field must be 1 to 5, got 'x'"),
        (" , ", None, "no survey verb given"),
        (None, "5-1", "is not LOW-HIGH with LOW < HIGH"),
        (None, "five", "is not LOW-HIGH"),
    ],
)
def test_a_bad_survey_mapping_is_refused_with_its_reason(
    verbs: str | None, scale: str | None, message: str
) -> None:
    with pytest.raises(SurveyConfigError, match=message):
        survey_mapping(verbs, scale)


def test_the_settings_refuse_a_bad_survey_mapping() -> None:
    with pytest.raises(SettingsError, match="FLOORBOARD_SURVEY_VERBS.*CONNECT is an Asterisk"):
        Settings(survey_verbs="CONNECT:1").check()
    assert Settings(survey_verbs="CSAT:1,SURVEY", survey_scale="0-10").check()


def test_report_takes_the_survey_mapping_as_options() -> None:
    default, _ = report(str(GOLDEN / "site_events.log"), "--interval", "day")
    assert day(default, "support")["survey_answers"] == 1
    mapped, stderr = report(
        str(GOLDEN / "site_events.log"), "--interval", "day",
        "--survey", "SURVEY:1", "--survey", "CSAT:1", "--survey", "POSTCALLSURVEY:2",
    )  # fmt: skip
    r = day(mapped, "support")
    assert (r["survey_answers"], r["survey_satisfied"]) == (3, 2)  # 5, 4, 2
    assert "3 input lines rejected" in stderr


def test_report_refuses_a_bad_survey_option() -> None:
    result = CliRunner().invoke(main, ["report", str(GOLDEN / "site_events.log"),
                                       "--survey", "CONNECT:1"])  # fmt: skip
    assert result.exit_code == 2
    assert "CONNECT is an Asterisk event" in result.output
