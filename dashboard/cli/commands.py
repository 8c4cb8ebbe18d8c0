"""Imports every subcommand module so that each attaches its commands to ``main``."""

from dashboard.cli import staffing  # noqa: F401
