"""Imports every subcommand module so that each attaches its commands to ``main``."""

from dashboard.cli import staffing  # noqa: F401
from dashboard.cli import import_calls  # noqa: F401
from dashboard.cli import db  # noqa: F401
from dashboard.cli import pipeline  # noqa: F401
from dashboard.cli import simulate  # noqa: F401
