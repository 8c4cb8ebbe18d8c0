"""Imports every domain's models so that ``Base.metadata`` knows every table (Alembic, tests)."""

from __future__ import annotations

from collectors.history import models as history_models
from core.db import Base
from dashboard.announcements import models as announcement_models
from dashboard.auth import models as auth_models
from qa.audit import models as audit_models
from qa.awards import models as awards_models
from qa.calibration import models as calibration_models
from qa.evaluations import models as evaluation_models
from qa.ledger import models as ledger_models
from qa.people import models as people_models
from qa.sampling import models as sampling_models
from qa.scorecards import models as scorecard_models

__all__ = [
    "Base",
    "announcement_models",
    "auth_models",
    "audit_models",
    "awards_models",
    "calibration_models",
    "evaluation_models",
    "history_models",
    "ledger_models",
    "people_models",
    "sampling_models",
    "scorecard_models",
]
