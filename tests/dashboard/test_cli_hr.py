"""``floorboard agents|ledger|awards`` through click's CliRunner on a SQLite database built by
the migrations: output shapes, the monthly workflow, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select

from core.migrate import upgrade
from core.tables import load_models
from dashboard.cli import main
from qa.audit.models import AuditEntry
from qa.awards.policy import DEFAULT_POLICY_PATH

AGENTS = "agent_id,name,team,employment\nA1,Li Na,North,regular\nA2,Wang Wei,North,regular\n"
AGENTS += "A3,Zhang San,South,probation\nA4,Chen Jie,South,regular\n"
LEDGER = "agent_id,date,category,points,kind,note\n"
MY_TABLES = {
    "teams", "agents", "ledger_entries", "audit_log", "award_months", "award_tie_decisions",
    "award_coefficient_overrides",
}  # fmt: skip


class Cli:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp, self.env = tmp_path, {"FLOORBOARD_DATABASE_URL": url}

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


def ledger(cli: Cli, *rows: str) -> None:
    """Import ledger rows given as ``agent,date,category,points`` (incidents)."""
    text = LEDGER + "".join(f"{row},incident,test\n" for row in rows)
    cli("ledger", "import", cli.file("ledger.csv", text))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    upgrade(url, "0002")
    return url


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Cli:
    upgrade(db_url)  # to the latest schema: ties read QA averages from the evaluations table
    run = Cli(tmp_path, db_url)
    run("agents", "import", run.file("agents.csv", AGENTS))
    return run


def _table_of(diff: Any) -> str:
    """The table a diff from ``compare_metadata`` is about."""
    if isinstance(diff, list):  # modify_* diffs come as a list of tuples
        return _table_of(diff[0])
    kind, target = diff[0], diff[1]
    if kind in ("add_table", "remove_table"):
        return str(target.name)
    if kind.startswith(("add_column", "remove_column", "modify_")):
        return str(diff[2])
    table = getattr(target, "table", None)
    return str(table.name) if table is not None else ""


def _my_diffs(url: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, load_models())
    engine.dispose()
    return [d for d in diffs if _table_of(d) in MY_TABLES]


def test_migration_0002_matches_the_models(db_url: str, tmp_path: Path) -> None:
    assert _my_diffs(db_url) == []
    before = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(before, "0001")  # proves the comparison sees these tables at all
    assert {_table_of(d) for d in _my_diffs(before)} == MY_TABLES


def test_missing_schema_says_to_run_db_upgrade(tmp_path: Path) -> None:
    empty = Cli(tmp_path, f"sqlite:///{tmp_path / 'none.db'}")
    result = empty("agents", "list", code=1)
    assert "run `floorboard db upgrade` first" in result.output
    assert not (tmp_path / "none.db").exists()
    upgrade(f"sqlite:///{tmp_path / 'old.db'}", "0001")
    old = Cli(tmp_path, f"sqlite:///{tmp_path / 'old.db'}")
    assert (
        "has no agents, ledger_entries"
        in old("awards", "show", "--month", "2026-01", code=1).output
    )


def test_agents_import_upserts_and_lists(cli: Cli) -> None:
    again = AGENTS.replace("A3,Zhang San,South,probation", "A3,Zhang San,South,regular")
    out = cli("agents", "import", cli.file("again.csv", again), "--by", "hr1").output
    assert out.strip().endswith("0 created, 1 updated, 3 unchanged")
    listed = cli.json("agents", "list")
    assert listed[2] == {
        "agent_id": "A3", "name": "Zhang San", "team": "South", "employment": "regular",
        "active": True,
    }  # fmt: skip
    assert [a["agent_id"] for a in cli.json("agents", "list", "--team", "North")] == ["A1", "A2"]


def test_agents_import_errors_name_file_and_line(cli: Cli) -> None:
    path = cli.file("bad.csv", "agent_id,name,team,employment\nB1,Ok,,regular\n,No id,,regular\n"
                    "B2,Bad,,intern\nB1,Again,,regular\n")  # fmt: skip
    out = cli("agents", "import", path, code=1).output
    assert f"{path}:3: agent_id is empty" in out
    assert f"{path}:4: employment 'intern' must be 'regular' or 'probation'" in out
    assert f"{path}:5: agent_id 'B1' repeats line 2" in out
    assert "B1" not in [a["agent_id"] for a in cli.json("agents", "list")]  # nothing imported


def test_ledger_import_is_all_or_nothing(cli: Cli) -> None:
    bad = cli.file("bad.csv", LEDGER + "A1,2026-01-05,etiquette,-1,incident,late\n"
                   "A9,2026-01-05,etiquette,-1,incident,who\n")  # fmt: skip
    out = cli("ledger", "import", bad, code=1).output
    assert f"{bad}:3: unknown agent 'A9'" in out and "nothing was imported" in out
    assert cli("ledger", "export", "-").stdout.count("\n") == 1  # the header only
    good = cli.file("good.csv", LEDGER + "A1,2026-01-05,etiquette,-1,incident,late\n"
                    "A2,2026-02-01,service,1,bonus,praise\n")  # fmt: skip
    assert "imported 2 ledger entries" in cli("ledger", "import", good).output
    out_path = cli.tmp / "jan.csv"
    assert (
        "wrote 1 ledger entries"
        in cli("ledger", "export", "--month", "2026-01", str(out_path)).output
    )
    assert out_path.read_text().splitlines()[1].startswith("1,A1,2026-01-05,etiquette,-1.00,")


def test_ledger_import_of_huge_points_names_the_row_and_stores_nothing(cli: Cli) -> None:
    bad = cli.file("huge.csv", LEDGER + "A1,2026-01-05,etiquette,-1,incident,late\n"
                   "A1,2026-01-05,etiquette,-1e30,incident,typo\n")  # fmt: skip
    out = cli("ledger", "import", bad, code=1).output
    assert f"{bad}:3: points -1E+30 is beyond ±1000" in out and "nothing was imported" in out
    assert "Traceback" not in out
    assert cli("ledger", "export", "-").stdout.count("\n") == 1  # the header only
    add = ["ledger", "add", "--agent", "A1", "--date", "2026-01-09", "--category", "discipline"]
    out = cli(*add, "--points", "-1e30", "--by", "sup1", code=2).output
    assert "points -1E+30 is beyond ±1000" in out


def test_ledger_add_and_correct(cli: Cli) -> None:
    add = ["ledger", "add", "--agent", "A1", "--date", "2026-01-09", "--category", "discipline"]
    out = cli(*add, "--points", "-0.5", "--note", "phone", "--by", "sup1").output
    assert out.strip() == "entry 1: A1 2026-01-09 discipline -0.50 (incident)"
    assert "must be negative" in cli(*add, "--points", "2", "--by", "sup1", code=1).output
    assert "Missing option '--by'" in cli(*add, "--points", "-1", code=2).output
    out = cli("ledger", "correct", "1", "--points", "0", "--reason", "wrong", "--by", "m1").output
    assert out.strip() == "entry 2 corrects entry 1 by 0.50"


def test_awards_compute_json_shape_and_explanations(cli: Cli) -> None:
    ledger(cli, "A1,2026-01-05,etiquette,-1", "A2,2026-01-06,service,-2.5",
           "A4,2026-01-07,discipline,-0.5")  # fmt: skip
    data = cli.json("awards", "compute", "--month", "2026-01")
    assert list(data["stars"]) == ["service", "etiquette", "model"]
    # Service: A1 and A4 have 0 service deductions, nothing tells them apart.
    assert data["stars"]["service"]["winner"] is None
    assert data["stars"]["service"]["status"] == "needs_decision"
    assert data["stars"]["service"]["tied"] == ["A1", "A4"]
    a2 = next(a for a in data["agents"] if a["agent_id"] == "A2")
    assert a2["deductions"] == {"etiquette": 0.0, "service": -2.5, "discipline": 0.0, "total": -2.5}
    assert a2["eligibility"]["etiquette"] == {
        "eligible": False, "reason": "total deductions -2.50 below -2.00"
    }  # fmt: skip
    assert a2["coefficient"] == 0.975
    assert a2["explanation"][-1] == (
        "coefficient = base 1.0 - 2.50 deduction points x 0.01 = 0.975"
    )
    assert [a["agent_id"] for a in data["agents"]] == ["A1", "A2", "A3", "A4"]


def test_awards_workflow(cli: Cli) -> None:
    ledger(cli, "A1,2026-01-05,etiquette,-1", "A4,2026-01-07,discipline,-0.5",
           "A2,2026-01-06,service,-0.5")  # fmt: skip
    month = ["--month", "2026-01"]
    cli("awards", "compute", *month)
    assert "review it first" in cli("awards", "publish", *month, "--by", "hr", code=1).output
    cli("awards", "resolve-tie", *month, "--star", "service", "--agent", "A4", "--reason",
        "praised by callers", "--by", "mgr")  # fmt: skip
    cli("awards", "review", *month, "--by", "hr")
    data = cli.json("awards", "publish", *month, "--by", "hr")
    assert data["status"] == "published"
    assert {k: s["winner"] for k, s in data["stars"].items()} == {
        "service": "A4", "etiquette": "A2", "model": "A1"
    }  # fmt: skip
    refused = cli("awards", "override", *month, "--agent", "A1", "--coefficient", "0.9",
                  "--reason", "x", "--by", "hr", code=1)  # fmt: skip
    assert "published and frozen" in refused.output
    frozen = cli("awards", "compute", *month, "--json")
    assert "published and frozen" in frozen.stderr
    assert json.loads(frozen.stdout)["revision"] == 1
    revised = cli.json("awards", "revise", *month, "--reason", "late report", "--by", "hr")
    assert (revised["revision"], revised["status"], revised["supersedes"]) == (2, "draft", 1)
    assert cli.json("awards", "show", *month, "--revision", "1")["status"] == "published"
    engine = create_engine(cli.env["FLOORBOARD_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.actor, AuditEntry.action).where(
            AuditEntry.entity == "award_month")).all()  # fmt: skip
    engine.dispose()
    assert [tuple(r) for r in rows][1:] == [
        ("mgr", "awards.resolve_tie"), ("hr", "awards.review"), ("hr", "awards.publish"),
        ("hr", "awards.compute"),
    ]  # fmt: skip


def test_awards_compute_with_a_policy_file(cli: Cli) -> None:
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["version"] = "2026-02"
    raw["stars"]["service"]["bonus"] = 0.3
    raw["award_order"] = ["etiquette", "service", "model"]
    policy = cli.file("policy.yaml", yaml.safe_dump(raw, allow_unicode=True))
    # Etiquette first: A1 (none); service: A4 (0) over A2 (-1); model: A2 (0 discipline).
    ledger(cli, "A2,2026-01-06,etiquette,-0.2", "A2,2026-01-06,service,-1",
           "A4,2026-01-07,etiquette,-1", "A4,2026-01-07,discipline,-0.5")  # fmt: skip
    data = cli.json("awards", "compute", "--month", "2026-01", "--policy", policy)
    assert data["policy"]["version"] == "2026-02"
    assert {k: s["winner"] for k, s in data["stars"].items()} == {
        "etiquette": "A1", "service": "A4", "model": "A2"
    }  # fmt: skip
    assert next(a for a in data["agents"] if a["agent_id"] == "A4")["coefficient"] == 1.285
    raw["stars"]["model"]["min_deductions"] = 2
    bad = cli.file("bad.yaml", yaml.safe_dump(raw))
    out = cli("awards", "compute", "--month", "2026-01", "--policy", bad, code=1).output
    assert f"{bad}: stars.model.min_deductions: 2 must be at most 0" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["awards", "compute", "--month", "2026-13"], 2, "must look like 2026-01"),
        (["awards", "show", "--month", "2026-03"], 1, "2026-03 has no any result"),
        (["awards", "review", "--month", "2026-03"], 2, "Missing option '--by'"),
        (
            [
                "awards",
                "override",
                "--month",
                "2026-01",
                "--agent",
                "A1",
                "--reason",
                "r",
                "--by",
                "hr",
            ],
            2,
            "give either --coefficient or --clear",
        ),  # fmt: skip
    ],
)
def test_awards_bad_input(cli: Cli, args: list[str], code: int, message: str) -> None:
    assert message in cli(*args, code=code).output
