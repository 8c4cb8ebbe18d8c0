"""``dashboard.auth`` builds on ``dashboard.security``, never the other way round (issue 13.3),
and importing the auth service computes no password hash (issue 13.11)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dashboard.security
from dashboard.auth.schemas import AuthError
from dashboard.security.errors import AuthError as SecurityAuthError

SECURITY = Path(dashboard.security.__file__).parent


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_security_never_imports_auth() -> None:
    modules = sorted(SECURITY.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        wrong = {
            m for m in imports_of(path) if m == "dashboard.auth" or m.startswith("dashboard.auth.")
        }
        assert not wrong, f"{path.name} imports {sorted(wrong)}"


def test_auth_error_is_one_class_for_both() -> None:
    assert AuthError is SecurityAuthError


def test_importing_the_auth_service_hashes_nothing() -> None:
    code = (
        "from dashboard.auth import service\n"
        "assert service._dummy_hash.cache_info().currsize == 0, 'hashed at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
