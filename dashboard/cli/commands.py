"""Imports every subcommand module so that each attaches its commands to ``main``."""

from dashboard.cli import (
    ami,  # noqa: F401
    collect,  # noqa: F401
    db,  # noqa: F401
    demo,  # noqa: F401
    displays,  # noqa: F401
    forecast,  # noqa: F401
    health,  # noqa: F401
    hr,  # noqa: F401
    import_calls,  # noqa: F401
    pipeline,  # noqa: F401
    qa,  # noqa: F401
    serve,  # noqa: F401
    simulate,  # noqa: F401
    staffing,  # noqa: F401
    users,  # noqa: F401
)
