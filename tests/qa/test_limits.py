"""Free-text limits (issue 11, point 10): one table, enforced by each service before anything is
stored, with a message naming the field, its length and the limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from qa_factories import card, make_call
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa.awards.schemas import Month
from qa.awards.service import AwardsError, compute_month
from qa.calibration.models import CalibrationSession
from qa.calibration.schemas import CalibrationError
from qa.calibration.service import create_session
from qa.limits import MAX_LENGTH, Field, TooLong, check_length, too_long
from qa.people.models import Agent
from qa.sampling.schemas import Period, SamplingError, SamplingPolicy, check_policy


def test_every_field_has_a_limit_and_the_message_names_it() -> None:
    assert set(MAX_LENGTH) == set(Field)
    assert check_length("x" * 2000, Field.COMMENT) == "x" * 2000
    with pytest.raises(TooLong) as caught:
        check_length("x" * 2001, Field.COMMENT, where="call 7")
    assert str(caught.value) == (
        "the comment (call 7) is 2,001 characters long; at most 2,000 are allowed"
    )
    assert too_long(caught.value) == (Field.COMMENT, 2001, 2000)
    assert too_long(ValueError("other")) is None


def test_a_long_calibration_title_is_refused(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    card(db_session)
    call = make_call(db_session, agent="A1")
    with pytest.raises(CalibrationError, match="calibration title is 201 characters long"):
        create_session(
            db_session=db_session, call_pk=call.id, evaluators=["qa1", "qa2"], expert="lead",
            actor="lead", title="t" * 201, scorecard_key="example",
        )  # fmt: skip
    count = db_session.scalar(select(func.count()).select_from(CalibrationSession))
    assert count == 0


def test_a_long_awards_reason_is_refused_before_computing(db_session: Session) -> None:
    with pytest.raises(AwardsError, match="reason is 1,001 characters long; at most 1,000"):
        compute_month(
            db_session=db_session, month=Month.parse("2026-01"), actor="hr1", reason="r" * 1001
        )


def test_a_long_sample_name_is_refused() -> None:
    policy = SamplingPolicy(name="n" * 129, per_agent=1, period=Period.WEEK, evaluators=("qa1",))
    with pytest.raises(SamplingError, match="sample name .*is 129 characters long"):
        check_policy(policy)
