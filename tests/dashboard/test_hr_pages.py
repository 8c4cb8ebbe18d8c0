"""The HR pages through the server, as the browser calls them: the monthly ranking gives the
same figures as ``floorboard awards compute``; only hr and admin act; supervisors record
incidents and corrections; an agent sees only their own history."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import flask
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from hr_factories import MONTH, pattern, pattern_changed, seed_month
from sqlalchemy.orm import Session, sessionmaker
from support.dash_requests import call, page

from core.db import session_scope
from dashboard.app import create_app
from dashboard.cli import main
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.settings import Settings
from qa.awards.decisions import resolve_tie
from qa.awards.month import load_view
from qa.awards.service import publish_month, review_month
from qa.ledger.service import list_entries
from qa.people.schemas import AgentIn
from qa.people.service import upsert_agent

ACT = (f"{ids.HR_MESSAGE}.children", f"{ids.HR_SIGNAL}.data")
RENDER = (f"{ids.HR_TABLE}.data", f"{ids.HR_STARS}.children")
INC_ACT = (f"{ids.HR_INC_MESSAGE}.children",)
INC_LIST = (f"{ids.HR_INC_LIST}.children",)


@pytest.fixture
def app(settings: Settings, sessions: sessionmaker[Session]) -> flask.Flask:
    with session_scope(sessions) as db:
        seed_month(db)
    return create_app(settings)


@pytest.fixture
def as_role(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> Iterator[Callable[..., FlaskClient]]:
    """``as_role("hr")`` → a client logged in with a new user of that role."""

    def client(role: str, **kw: Any) -> FlaskClient:
        return login(app.test_client(), make_user(role, **kw))

    yield client


def act(client: FlaskClient, app: flask.Flask, button: str, **values: Any) -> Any:
    states = {f"{ids.HR_MONTH}.value": str(MONTH), f"{button}.n_clicks": 1, **values}
    return call(client, app, ACT, states, trigger=f"{button}.n_clicks")


def publish(client: FlaskClient, app: flask.Flask, revision: int | None) -> Any:
    """Confirm the publication of ``revision`` (what the confirmation named)."""
    pending = {"month": str(MONTH), "revision": revision} if revision else None
    return act(client, app, ids.HR_PUBLISH_CONFIRM, **{f"{ids.HR_PUBLISH_PENDING}.data": pending})


def ask_publish(client: FlaskClient, app: flask.Flask) -> Any:
    """Press Publish: the confirmation box's outputs."""
    values = {f"{ids.HR_MONTH}.value": str(MONTH), f"{ids.HR_PUBLISH}.n_clicks": 1}
    outputs = (f"{ids.HR_PUBLISH_ASK}.hidden", f"{ids.HR_PUBLISH_PENDING}.data")
    return call(client, app, outputs, values, trigger=f"{ids.HR_PUBLISH}.n_clicks")


def render(client: FlaskClient, app: flask.Flask, revision: int | None = None) -> Any:
    values = {f"{ids.HR_MONTH}.value": str(MONTH), f"{ids.HR_REVISION}.value": revision}
    return call(client, app, RENDER, values, trigger=f"{ids.HR_MONTH}.value")


def view(sessions: sessionmaker[Session], revision: int | None = None) -> dict[str, Any]:
    with session_scope(sessions) as db:
        found = load_view(db_session=db, month=MONTH, revision=revision)
    assert found is not None
    return found


def test_the_page_and_the_cli_give_the_same_figures(
    app: flask.Flask,
    as_role: Callable[..., FlaskClient],
    sessions: sessionmaker[Session],
    cli_env: dict[str, str],
) -> None:
    env = {**cli_env, "FLOORBOARD_TIMEZONE": "UTC"}
    args = ["awards", "compute", "--month", str(MONTH), "--json", "--by", "cli"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    by_cli = json.loads(result.stdout)
    hr = as_role("hr")
    response = act(hr, app, ids.HR_COMPUTE)
    assert response.status_code == 200
    assert "2026-01" in json.dumps(response.get_json(), ensure_ascii=False)
    by_page = view(sessions)
    assert by_page["revision"] == by_cli["revision"] == 1  # recomputed in place
    assert by_page["stars"] == by_cli["stars"]
    assert by_page["agents"] == by_cli["agents"]
    # QA averages decided the Service Star (answered calls alone would give A1)
    assert by_cli["stars"]["service"]["winner"] == "A2"
    assert {a["agent_id"]: a["qa_average"] for a in by_cli["agents"]}["A2"] == 100.0
    assert by_cli["stars"]["model"]["status"] == "needs_decision"
    rows = render(hr, app).get_json()["response"][ids.HR_TABLE]["data"]
    shown = {r["agent_id"]: r for r in rows}
    for agent in by_cli["agents"]:
        row = shown[agent["agent_id"]]
        assert row["coefficient"] == agent["coefficient"]
        assert row["d_total"] == agent["deductions"]["total"]
        assert row["qa"] == agent["qa_average"]
    assert "★" in shown["A2"]["stars"] and shown["A2"]["coefficient"] == 1.195
    assert shown["A6"]["e_model"] == "✓" and shown["A3"]["e_service"] == "✗"


@pytest.mark.parametrize(
    ("role", "may_act", "may_see"),
    [("agent", False, False), ("supervisor", False, True), ("qa", False, True),
     ("hr", True, True), ("admin", True, True)],
)  # fmt: skip
def test_only_hr_and_admin_compute_decide_and_publish(
    app: flask.Flask, as_role: Callable[..., FlaskClient], role: str, may_act: bool,
    may_see: bool,
) -> None:  # fmt: skip
    client = as_role(role)
    assert act(client, app, ids.HR_COMPUTE).status_code == (200 if may_act else 403)
    assert render(client, app).status_code == (200 if may_see else 403)
    layout = page(client, "/hr")
    assert ("denied" in layout) is not may_see
    if may_see:
        assert (t("hr.read_only") in layout) is not may_act


def test_ties_overrides_publication_and_revisions(
    app: flask.Flask, as_role: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    hr = as_role("hr")
    act(hr, app, ids.HR_COMPUTE)
    assert "review it first" in json.dumps(publish(hr, app, revision=1).get_json())
    resolve = pattern_changed(ids.HR_TIE_RESOLVE, "model", "n_clicks")
    tie = {
        ids.HR_TIE_RESOLVE: [pattern(ids.HR_TIE_RESOLVE, "model", "n_clicks", 1)],
        ids.HR_TIE_PICK: [pattern(ids.HR_TIE_PICK, "model", "value", "A4")],
        ids.HR_TIE_REASON: [pattern(ids.HR_TIE_REASON, "model", "value", "")],
        f"{ids.HR_MONTH}.value": str(MONTH),
    }
    refused = call(hr, app, ACT, tie, trigger=resolve).get_json()
    assert t("hr.need_reason") in json.dumps(refused)
    tie[ids.HR_TIE_REASON][0]["value"] = "Covered the night shift twice"
    assert call(hr, app, ACT, tie, trigger=resolve).status_code == 200
    decided = view(sessions)["stars"]["model"]
    assert decided["winner"] == "A4" and decided["status"] == "decided"
    override = {
        ids.HR_OVR_APPLY: [pattern(ids.HR_OVR_APPLY, "A3", "n_clicks", 1)],
        ids.HR_OVR_VALUE: [pattern(ids.HR_OVR_VALUE, "A3", "value", "0.9")],
        ids.HR_OVR_REASON: [pattern(ids.HR_OVR_REASON, "A3", "value", "Two unreported absences")],
        f"{ids.HR_MONTH}.value": str(MONTH),
    }
    apply = pattern_changed(ids.HR_OVR_APPLY, "A3", "n_clicks")
    assert call(hr, app, ACT, override, trigger=apply).status_code == 200
    a3 = next(a for a in view(sessions)["agents"] if a["agent_id"] == "A3")
    assert a3["coefficient"] == 0.9 and a3["override"]["reason"] == "Two unreported absences"
    act(hr, app, ids.HR_REVIEW)
    publish(hr, app, revision=1)
    assert view(sessions)["status"] == "published"
    frozen = call(hr, app, ACT, override, trigger=apply).get_json()
    assert "published and frozen" in json.dumps(frozen)
    assert t("hr.need_reason") in json.dumps(act(hr, app, ids.HR_REVISE).get_json())
    act(hr, app, ids.HR_REVISE, **{f"{ids.HR_REVISE_REASON}.value": "A1's lateness was wrong"})
    latest = view(sessions)
    assert (latest["revision"], latest["status"], latest["reason"]) == (
        2, "draft", "A1's lateness was wrong"
    )  # fmt: skip
    old = render(hr, app, revision=1).get_json()["response"]
    assert "r1" in json.dumps(old[ids.HR_STATUS]) and "published" in json.dumps(old)
    assert view(sessions, revision=1)["status"] == "published"  # the old one is kept


def test_the_explanation_panel_and_the_override_form(
    app: flask.Flask, as_role: Callable[..., FlaskClient]
) -> None:
    hr, supervisor = as_role("hr"), as_role("supervisor")
    act(hr, app, ids.HR_COMPUTE)
    values = {
        f"{ids.HR_TABLE}.active_cell": {"row": 0, "column": 1, "row_id": "A2"},
        f"{ids.HR_MONTH}.value": str(MONTH),
    }
    outputs = (f"{ids.HR_DETAIL}.children",)
    for client, form in ((hr, True), (supervisor, False)):
        shown = json.dumps(call(client, app, outputs, values).get_json(), ensure_ascii=False)
        assert "coefficient = base 1.0 + Service Star" in shown
        assert "tie-break qa_average" in json.dumps(call(client, app, RENDER, values).json)
        assert (ids.HR_OVR_APPLY in shown) is form


def test_supervisors_record_incidents_and_corrections(
    app: flask.Flask, as_role: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    supervisor = as_role("supervisor", username="sup-li")
    record = {
        f"{ids.HR_INC_AGENT}.value": "A6",
        f"{ids.HR_INC_DATE}.date": "2026-01-21",
        f"{ids.HR_INC_KIND}.value": "incident",
        f"{ids.HR_INC_CATEGORY}.value": "etiquette",
        f"{ids.HR_INC_POINTS}.value": "0.5",
        f"{ids.HR_INC_NOTE}.value": "Dress code",
        f"{ids.HR_INC_ADD}.n_clicks": 1,
    }
    done = call(supervisor, app, INC_ACT, record, trigger=f"{ids.HR_INC_ADD}.n_clicks")
    assert done.status_code == 200, done.get_data(as_text=True)
    with session_scope(sessions) as db:
        entry = list_entries(db_session=db, agent_id="A6")[-1]
        entry_id = entry.id
        assert (str(entry.points), entry.category, entry.reporter) == ("-0.50", "etiquette",
                                                                        "sup-li")  # fmt: skip
    correct = {
        f"{ids.HR_INC_CORR_ID}.value": str(entry_id),
        f"{ids.HR_INC_CORR_POINTS}.value": "0",
        f"{ids.HR_INC_CORR_REASON}.value": "Was wearing the uniform",
        f"{ids.HR_INC_CORRECT}.n_clicks": 1,
    }
    fixed = call(supervisor, app, INC_ACT, correct, trigger=f"{ids.HR_INC_CORRECT}.n_clicks")
    assert f"#{entry_id}" in json.dumps(fixed.get_json(), ensure_ascii=False)
    with session_scope(sessions) as db:
        rows = list_entries(db_session=db, agent_id="A6")
        original = next(e for e in rows if e.id == entry_id)
        assert str(original.points) == "-0.50"  # never edited in place
        assert [(e.kind, str(e.points), e.corrects_id) for e in rows][-1] == (
            "correction", "0.50", entry_id
        )  # fmt: skip
    listing = call(supervisor, app, INC_LIST, {f"{ids.HR_INC_MONTH}.value": "2026-01"})
    text = json.dumps(listing.get_json(), ensure_ascii=False)
    assert "Was wearing the uniform" in text and "孙丽" in text
    for role, status in (("qa", 403), ("agent", 403), ("hr", 200), ("admin", 200)):
        response = call(as_role(role), app, INC_ACT, record,
                            trigger=f"{ids.HR_INC_ADD}.n_clicks")  # fmt: skip
        assert response.status_code == status, role


def test_bad_incidents_are_refused_with_a_reason(
    app: flask.Flask, as_role: Callable[..., FlaskClient]
) -> None:
    supervisor = as_role("supervisor")
    base = {f"{ids.HR_INC_DATE}.date": "2026-01-21", f"{ids.HR_INC_ADD}.n_clicks": 1}
    cases = (
        ({f"{ids.HR_INC_POINTS}.value": "1"}, t("hr.inc.need_agent")),
        ({f"{ids.HR_INC_AGENT}.value": "A1", f"{ids.HR_INC_POINTS}.value": "abc"}, "not a number"),
        ({f"{ids.HR_INC_AGENT}.value": "A1", f"{ids.HR_INC_POINTS}.value": "0"},
         t("hr.inc.bad_points")),
    )  # fmt: skip
    for values, message in cases:
        out = call(supervisor, app, INC_ACT, {**base, **values},
                       trigger=f"{ids.HR_INC_ADD}.n_clicks")  # fmt: skip
        assert message in json.dumps(out.get_json(), ensure_ascii=False)


def _publish(sessions: sessionmaker[Session], app: flask.Flask, client: FlaskClient) -> None:
    act(client, app, ids.HR_COMPUTE)
    with session_scope(sessions) as db:
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A6", reason="r",
                    actor="hr")  # fmt: skip
        review_month(db_session=db, month=MONTH, actor="hr")
        publish_month(db_session=db, month=MONTH, actor="hr")


def test_an_agent_sees_only_their_own_history(
    app: flask.Flask, as_role: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    _publish(sessions, app, as_role("hr"))
    agent = as_role("agent", agent_id="A1")
    mine = page(agent, "/hr/agent/A1")
    assert "Li Na" in mine and "denied" not in mine and "1.09" in mine
    # the same page, but for the language switch's way back to the page it was opened on
    here = '"value": "/hr/agent/{}", "type": "hidden"'
    assert page(agent, "/hr/agent/me").replace(here.format("me"), here.format("A1")) == mine
    for other in ("/hr/agent/A2", "/hr/agent/%E5%AD%99%E4%B8%BD", "/hr/agent/nobody"):
        assert "denied" in page(agent, other), other
    # nothing else of HR answers an agent: ranking callbacks, ledger, payroll
    assert render(agent, app).status_code == 403
    assert call(agent, app, INC_LIST, {}).status_code == 403
    assert agent.get(f"/hr/export/{MONTH}.csv").status_code == 403
    unlinked = page(as_role("agent"), "/hr/agent/me")
    assert t("hr.agent.not_linked") in unlinked and "denied" not in unlinked
    supervisor = as_role("supervisor")
    other = page(supervisor, "/hr/agent/A6")
    assert "孙丽" in other and "denied" not in other and "★" in other  # she won the Model Star
    with session_scope(sessions) as db:  # telephony agent ids may be names in any script
        upsert_agent(db_session=db, data=AgentIn("王芳", "王芳", "East"), actor="test")
    fang = page(supervisor, "/hr/agent/%E7%8E%8B%E8%8A%B3")  # as the browser sends it
    assert "王芳" in fang and t("hr.agent.none") in fang


def test_every_hr_text_exists_in_both_languages() -> None:
    from dashboard.i18n import EN, ZH  # noqa: PLC0415
    from dashboard.pages.hr.incidents_parts import PRESETS  # noqa: PLC0415

    keys = [f"hr.status.{s}" for s in ("none", "draft", "reviewed", "published")]
    keys += [f"hr.star.{s}" for s in ("etiquette", "service", "model")]
    keys += [f"hr.star_status.{s}" for s in
             ("awarded", "decided", "needs_decision", "blocked", "no_candidate")]  # fmt: skip
    columns = ("etiquette", "service", "discipline", "total", "month", "revision", "stars",
               "bonuses", "coefficient", "override")  # fmt: skip
    keys += [f"hr.col.{c}" for c in columns]
    keys += [f"hr.employment.{e}" for e in ("regular", "probation")]
    keys += [f"hr.rev.{k}" for k in ("revision", "status", "reason", "computed", "published")]
    keys += [f"hr.inc.kind.{k}" for k in ("incident", "bonus", "correction", "scorecard")]
    keys += [f"hr.inc.col.{k}" for k in ("id", "date", "agent", "category", "kind", "points",
                                         "counts", "note", "reporter")]  # fmt: skip
    for c in ("etiquette", "service", "discipline"):
        keys += [f"hr.cat.{c}", f"hr.cat.{c}.short"]
    keys += [f"hr.preset.{p.key}" for p in PRESETS]
    keys += ["nav.hr", "nav.hr_incidents", "nav.my_awards", "hr.agent.points"]
    missing = [k for k in keys if k not in EN or k not in ZH]
    assert missing == []
    assert not [k for k in EN if k.startswith("hr.") and "denied" in (EN[k] + ZH[k]).lower()]


def test_publish_asks_first_and_publishes_only_what_was_confirmed(
    app: flask.Flask, as_role: Callable[..., FlaskClient], sessions: sessionmaker[Session]
) -> None:
    """Publishing is final (issue 11.17): Publish only asks, naming month and revision; the
    server publishes only on Confirm of that revision."""
    hr = as_role("hr")
    act(hr, app, ids.HR_COMPUTE)
    with session_scope(sessions) as db:
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A4", reason="r", actor="h")
        review_month(db_session=db, month=MONTH, actor="hr")
    asked = ask_publish(hr, app).get_json()["response"]
    assert asked[ids.HR_PUBLISH_ASK]["hidden"] is False
    assert asked[ids.HR_PUBLISH_PENDING]["data"] == {"month": str(MONTH), "revision": 1}
    assert f"Publish {MONTH}, revision r1?" in asked[ids.HR_PUBLISH_ASK_TEXT]["children"]
    assert view(sessions)["status"] == "reviewed"  # asking published nothing
    supervisor = ask_publish(as_role("supervisor"), app).get_json()["response"]
    assert supervisor[ids.HR_PUBLISH_ASK]["hidden"] is True  # only managers are asked

    unconfirmed = json.dumps(publish(hr, app, revision=None).get_json())
    assert t("hr.publish_unconfirmed") in unconfirmed
    assert t("hr.publish_changed") in json.dumps(publish(hr, app, revision=2).get_json())
    assert view(sessions)["status"] == "reviewed"
    # the old button is no input of the action any more: a forged click does nothing
    forged = act(hr, app, ids.HR_PUBLISH)
    assert "unknown action" in json.dumps(forged.get_json())
    assert view(sessions)["status"] == "reviewed"
    assert t("hr.published_msg") in json.dumps(publish(hr, app, revision=1).get_json())
    assert view(sessions)["status"] == "published"
