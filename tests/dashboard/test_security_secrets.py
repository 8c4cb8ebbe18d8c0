"""No secret in the repository, and production refuses the default secret key.

The scan reads every tracked file (``git ls-files``; every file outside build and data
folders when the tree is not a git checkout) for private keys, cloud tokens, a literal
``SECRET_KEY`` other than the documented refused default, and passwords or secrets written
into YAML, ``.env``, INI or TOML files (an empty value or a ``${VARIABLE}`` is fine).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.settings import DEFAULT_SECRET

REPO = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "floorboard-data", "build", "node_modules", "__pycache__", "output"}
CONFIG_SUFFIXES = {".yml", ".yaml", ".env", ".ini", ".cfg", ".toml", ".conf"}
MAX_BYTES = 2_000_000

ANYWHERE = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "SECRET_KEY literal": re.compile(r"""\bSECRET_KEY\b["']?\s*[:=]\s*["']([^"'\s]+)["']"""),
}
CONFIG_SECRET = re.compile(
    r"""^\s*(?:-\s*)?["']?(?P<key>[\w.-]*(?:password|passwd|secret|token|api_?key|private_key)[\w.-]*)"""
    r"""["']?\s*[:=]\s*(?P<value>.*?)\s*$""",
    re.IGNORECASE,
)
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?P<value>[^\s@/]+)@")


def is_placeholder(value: str) -> bool:
    value = value.strip().strip("\"'")
    return (
        not value
        or value.lower() in {"null", "~", "none", "''", '""'}
        or value.startswith(("$", "<", "{{", "#"))
        or "…" in value
    )


def findings(path: Path, text: str) -> Iterator[str]:
    """``file:line: what`` for everything in ``text`` that looks like a secret."""
    config = path.suffix in CONFIG_SUFFIXES or path.name.startswith(".env")
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{number}"
        for what, pattern in ANYWHERE.items():
            found = pattern.search(line)
            if found and not (what == "SECRET_KEY literal" and found.group(1) == DEFAULT_SECRET):
                yield f"{where}: {what}"
        if not config:
            continue
        entry = CONFIG_SECRET.match(line)
        if entry and not is_placeholder(entry.group("value")):
            yield f"{where}: {entry.group('key')} has a value"
        url = URL_PASSWORD.search(line)
        if url and not is_placeholder(url.group("value")):
            yield f"{where}: a password in a URL"


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
        ).stdout
        return [REPO / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a checkout (e.g. a source tarball)
        files = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            files.extend(Path(root) / name for name in names)
        return files


def test_no_secret_is_tracked() -> None:
    problems = []
    files = [f for f in tracked_files() if f.is_file() and f.stat().st_size < MAX_BYTES]
    assert len(files) > 100  # the scan really ran over the tree
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (images, audio)
        problems.extend(findings(path.relative_to(REPO), text))
    assert problems == []


# The samples are assembled at run time so that this file itself holds no secret.
BEGIN = "-----BEGIN "


@pytest.mark.parametrize(
    ("name", "text", "what"),
    [
        ("key.pem", BEGIN + "RSA PRIVATE KEY-----\nMIIE...\n", "private key"),
        ("notes.md", "aws: " + "AKIA" + "ABCDEFGHIJKLMNOP", "AWS access key"),
        ("settings.py", "SECRET_KEY = " + "'s3cr3t-value'", "SECRET_KEY literal"),
        ("config.yaml", "redis:\n  password: " + "hunter2", "password has a value"),
        ("compose.yml", "  POSTGRES_PASSWORD: " + "floorboard", "POSTGRES_PASSWORD has a value"),
        (".env", "FLOORBOARD_SECRET_KEY=" + "x" * 40, "FLOORBOARD_SECRET_KEY has a value"),
        ("app.yaml", "url: postgresql://fb:" + "pw123@db/fb", "a password in a URL"),
    ],
)
def test_the_scan_finds_secrets(name: str, text: str, what: str) -> None:
    found = list(findings(Path(name), text))
    assert found and what in found[0], found


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("settings.py", f'DEFAULT_SECRET_KEY = "{DEFAULT_SECRET}"'),
        (".env.example", "FLOORBOARD_SECRET_KEY=\nPOSTGRES_PASSWORD=\n"),
        ("compose.yml", "  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n"),
        ("ami.yaml", "secret: <a long random secret>\n"),
        ("app.yaml", "url: postgresql://fb:${POSTGRES_PASSWORD}@db/fb\n"),
        ("notes.py", "password = read_password()\n"),
    ],
)
def test_the_scan_lets_placeholders_through(name: str, text: str) -> None:
    assert list(findings(Path(name), text)) == []


# -- production refuses the default secret key --------------------------------------------------


def test_production_refuses_to_serve_with_the_default_secret(tmp_path: Path) -> None:
    env = {"FLOORBOARD_ENV": "production", "FLOORBOARD_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve"], env={**env, "FLOORBOARD_SECRET_KEY": ""})
    assert result.exit_code == 1
    assert "FLOORBOARD_SECRET_KEY must be set" in result.output


def test_floorboard_serve_exits_non_zero_as_a_process(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLOORBOARD_")}
    env.update(FLOORBOARD_ENV="production", FLOORBOARD_DATA_DIR=str(tmp_path))
    env["FLOORBOARD_SECRET_KEY"] = DEFAULT_SECRET
    done = subprocess.run(
        [sys.executable, "-c", "from dashboard.cli import main; main()", "serve", "--dev"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "the default is refused" in done.stderr
    assert not (tmp_path / "floorboard.db").exists()  # refused before touching anything
