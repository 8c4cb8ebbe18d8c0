"""Imports every domain's models so that ``Base.metadata`` knows every table (Alembic, tests)."""

from __future__ import annotations

from collectors.db import Base
from collectors.history import models as history_models

__all__ = ["Base", "history_models"]
