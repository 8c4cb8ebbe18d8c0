"""Which package owns which tables: the one list, and the loader that fills ``Base.metadata``.

Every table is defined in one domain's ``models`` module on :class:`core.db.Base`. Alembic
(``core/migrations/env.py``) and the tests that create or compare the schema need every table
in ``Base.metadata``, so :func:`load_models` imports the modules named here. They are imported
by name: ``core`` imports no domain package (tests/test_architecture.py), and the domains
import ``core``. ``tests/core/test_tables.py`` keeps this list equal to the models' tables.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from core.db import Base

#: Each domain's models module and the tables it defines (a new table is added here too).
OWNERS: dict[str, tuple[str, ...]] = {
    "collectors.history.models": ("calls",),
    "qa.people.models": ("teams", "agents"),
    "qa.ledger.models": ("ledger_entries",),
    "qa.awards.models": (
        "award_months",
        "award_tie_decisions",
        "award_coefficient_overrides",
    ),
    "qa.audit.models": ("audit_log",),
    "qa.scorecards.models": ("scorecards", "scorecard_sections", "scorecard_items"),
    "qa.sampling.models": ("sampling_runs", "qa_assignments"),
    "qa.evaluations.models": (
        "evaluations",
        "evaluation_answers",
        "evaluation_comments",
        "evaluation_disputes",
    ),
    "qa.calibration.models": ("calibration_sessions",),
    "dashboard.auth.models": ("users", "display_tokens"),
    "dashboard.announcements.models": ("announcements",),
}


def load_models() -> MetaData:
    """Import every owner's models module and return ``Base.metadata``, now complete."""
    for module in OWNERS:
        importlib.import_module(module)
    return Base.metadata


__all__ = ["OWNERS", "load_models"]
