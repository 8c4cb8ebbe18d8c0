"""``floorboard scorecards|qa|recordings`` through click's CliRunner on a SQLite database built
by the migrations: output, files, determinism, exit codes and messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from qa_factories import T0, evaluate, make_call
from sqlalchemy import select
from sqlalchemy.orm import Session
from yaml_bombs import BOMB

from collectors.history.models import Call
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.cli import main
from qa.scorecards.files import load_default_spec

FULL = {ref: load_default_spec().item(ref).full_value for ref in load_default_spec().refs()}


class Cli:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp, self.url = tmp_path, url
        self.env = {"FLOORBOARD_DATABASE_URL": url, "FLOORBOARD_TIMEZONE": "UTC"}

    def __call__(self, *args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(main, list(args), env=self.env)
        assert result.exit_code == code, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def file(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    @property
    def db(self) -> Iterator[Session]:
        engine = make_engine(self.url)
        try:
            with session_scope(session_factory(engine)) as session:
                yield session
        finally:
            engine.dispose()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    upgrade(url, "0004")
    run = Cli(tmp_path, url)
    run("scorecards", "import", "--default", "--by", "admin")
    for session in run.db:
        for a in range(1, 4):
            for n in range(4):
                make_call(session, agent=f"A{a}", at=T0 + timedelta(days=n, hours=a))
    return run


def test_scorecards_import_list_export_and_versions(cli: Cli, tmp_path: Path) -> None:
    listed = cli.json("scorecards", "list")
    assert [(s["key"], s["version"], s["items"], s["status"]) for s in listed] == [
        ("default", 1, 15, "current"),
    ]
    out = tmp_path / "card.json"
    cli("scorecards", "export", "default", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["name_zh"] == "默认通话质检评分表"
    assert "forbidden_phrases" in cli("scorecards", "export", "default", "-").stdout
    data["pass_mark"] = 90
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "updated in place" in cli("scorecards", "import", str(out)).output
    for session in cli.db:
        call = make_call(session, agent="A1")
        evaluate(session, call, FULL, scorecard_key="default")
    data["pass_mark"] = 85
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "version 2: saved as a new version" in cli("scorecards", "import", str(out)).output
    assert "unchanged" in cli("scorecards", "import", str(out)).output
    versions = cli.json("scorecards", "list", "--all-versions")
    assert [(s["version"], s["status"], s["evaluations"]) for s in versions] == [
        (2, "current", 0),
        (1, "superseded", 1),
    ]


def test_bad_scorecard_file_is_located(cli: Cli) -> None:
    path = cli.file(
        "bad.yaml",
        "key: k\nname: K\nsections:\n  - key: s\n    title: S\n"
        "    items:\n      - key: q\n        text: Q\n        points: -1\n",
    )
    result = cli("scorecards", "import", path, code=1)
    assert f"{path}:7: item s.q: points -1.0 must be a number >= 0" in result.output
    assert "give a FILE or --default" in cli("scorecards", "import", code=2).output


def test_sample_is_deterministic_and_fills_the_queue(cli: Cli) -> None:
    policy = cli.file("p.yaml", "name: weekly\nper_agent: 2\nevaluators: [qa1, qa2]\n")
    args = ("qa", "sample", "--policy", policy, "--seed", "11", "--start", "2026-01-05")
    dry = cli.json(*args, "--dry-run")
    assert dry == cli.json(*args, "--dry-run")
    assert (dry["end"], dry["per_evaluator"], dry["run_id"]) == (
        "2026-01-12",
        {"qa1": 3, "qa2": 3},
        None,
    )
    out = cli(*args, "--by", "sup").output
    assert "(seed 11): assigned 6 calls" in out
    queue = cli.json("qa", "queue", "qa1")
    assert [q["status"] for q in queue] == ["due"] * 3
    assert {q["call_id"] for q in queue} == {
        c["call_id"] for c in dry["calls"] if c["evaluator"] == "qa1"
    }
    bad = cli.file("bad.yaml", "per_agent: two\nevaluators: [qa1]\n")
    assert f"{bad}: per_agent 'two' must be" in cli("qa", "sample", "--policy", bad, code=1).output


def test_report_with_csv_and_xlsx(cli: Cli, tmp_path: Path) -> None:
    for session in cli.db:
        evaluate(session, make_call(session, agent="A2"), FULL, scorecard_key="default")
        bad = {**FULL, "forbidden_phrases.none_used": "no"}
        evaluate(
            session,
            make_call(session, agent="A2"),
            bad,
            scorecard_key="default",
            comments={"forbidden_phrases.none_used": "这不关我的事"},
        )
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    out = cli(
        "qa",
        "report",
        "quality",
        "--start",
        "2026-01-01",
        "--end",
        "2026-02-01",
        "--csv",
        str(csv_path),
        "--xlsx",
        str(xlsx_path),
    ).output
    assert "A2" in out and "50.0" in out  # (100 + 0) / 2
    # raw scores 100 and 28/30 = 93.33 (the forbidden phrase item is 2 of the card's 30 points)
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[1] == ",A2,2,50.0,96.66,0.5"
    assert load_workbook(xlsx_path).active["B2"].value == "A2"
    items = cli("qa", "report", "items", "--start", "2026-01-01", "--end", "2026-02-01").output
    assert items.splitlines()[2].startswith("default    forbidden_phrases.none_used")
    assert "qa1" in cli("qa", "report", "evaluators").output
    assert (
        "must be after"
        in cli(
            "qa", "report", "quality", "--start", "2026-02-01", "--end", "2026-01-01", code=2
        ).output
    )


def test_recordings_demo_attach_and_check(cli: Cli, tmp_path: Path) -> None:
    out = cli(
        "recordings", "demo", str(tmp_path / "rec"), "--count", "2", "--seconds", "2", "--attach"
    ).output
    assert "wrote 2 demo recordings" in out and "gave 12 calls a demo recording" in out
    for session in cli.db:
        attached = session.scalars(select(Call).where(Call.recording_ref != "")).first()
        assert attached is not None
        call_id = make_call(session, agent="A9").call_id
    assert "audio/wav, 32044 bytes, 2.0 s" in cli("recordings", "check", attached.call_id).output
    missing = cli("recordings", "check", call_id, code=1).output
    assert "no recording pattern is configured" in missing
    cli.env["FLOORBOARD_RECORDING_PATTERN"] = str(tmp_path / "rec" / "{call_id}.wav")
    assert "does not exist" in cli("recordings", "check", call_id, code=1).output
    assert "there is no call 'nope'" in cli("recordings", "check", "nope", code=1).output


def test_missing_schema_says_to_upgrade(tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, "0003")
    result = Cli(tmp_path, old)("scorecards", "list", code=1)
    assert "has no scorecards, evaluations, qa_assignments table(s)" in result.output
    assert "floorboard db upgrade" in result.output


def test_scorecards_import_refuses_an_alias_bomb(cli: Cli) -> None:
    path = cli.file("bomb.yaml", BOMB)
    result = cli("scorecards", "import", path, code=1)
    assert re.search(rf"{re.escape(path)}:\d+: aliases .* expand to more than", result.output)
    assert "Traceback" not in result.output
