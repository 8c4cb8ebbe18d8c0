"""No secret in the repository, and production refuses the default secret key.

The scan reads every tracked file (``git ls-files``; every file outside build and data
folders when the tree is not a git checkout) for private keys, cloud tokens, a literal
``SECRET_KEY`` other than the documented refused default, and passwords or secrets written
into YAML, ``.env``, INI or TOML files (an empty value or a ``${VARIABLE}`` is fine).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.settings import DEFAULT_SECRET, SettingsError, load_settings

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
        files: list[Path] = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            files.extend(Path(root) / name for name in names)
        return files


def test_no_secret_is_tracked() -> None:
    problems: list[str] = []
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


# -- production refuses a guessable secret key (issue 11.7) --------------------------------------


@pytest.mark.parametrize(
    "secret",
    ["a" * 32, "k" * 48, "Password2024Password" * 2, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"],
)
def test_production_refuses_a_guessable_secret_naming_the_setting(
    tmp_path: Path, secret: str
) -> None:
    with pytest.raises(SettingsError, match="FLOORBOARD_SECRET_KEY looks guessable"):
        load_settings({}, env="production", secret_key=secret, data_dir=tmp_path)


def test_production_accepts_a_random_secret(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(32)
    settings = load_settings({}, env="production", secret_key=secret, data_dir=tmp_path)
    assert settings.production and settings.secret_key == secret
    # development and tests keep working with any key (the default included)
    assert load_settings({}, env="development", secret_key="a" * 32, data_dir=tmp_path)


# -- the image defaults to production (issue 11.5) ----------------------------------------------

DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "docker-compose.yml"
NO_REDIS = "redis://127.0.0.1:9/0"


def image_defaults() -> tuple[dict[str, str], list[str]]:
    """The ``ENV`` values and the ``CMD`` of the Dockerfile's last (runtime) stage."""
    stage = DOCKERFILE.read_text(encoding="utf-8").split("\nFROM ")[-1]
    env: dict[str, str] = {}
    command: list[str] = []
    for line in stage.splitlines():
        if line.startswith("ENV "):
            pairs = shlex.split(line[4:])
            if len(pairs) == 2 and "=" not in pairs[0]:  # the old ``ENV KEY value`` form
                pairs = ["=".join(pairs)]
            env.update(pair.split("=", 1) for pair in pairs)  # type: ignore[misc]
        elif line.startswith("CMD "):
            command = json.loads(line[4:])
    return env, command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_floorboard(argv: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """Run ``argv`` (a ``floorboard ...`` command) in a fresh process group with exactly
    ``env``'s ``FLOORBOARD_*`` settings; ``(exit code, stderr)``. A command that starts serving
    instead of refusing is stopped with everything it started, and fails the test."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("FLOORBOARD_")}
    assert argv[0] == "floorboard", argv
    process = subprocess.Popen(
        [sys.executable, "-c", "from dashboard.cli import main; main()", *argv[1:]],
        cwd=REPO,
        # No embedded Redis (it would outlive a killed process group): a URL nobody serves.
        env={**clean, "FLOORBOARD_PORT": str(free_port()), "FLOORBOARD_REDIS_URL": NO_REDIS, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{' '.join(argv)} started instead of refusing")
    return process.returncode, err


@pytest.mark.parametrize("secret", [None, "", DEFAULT_SECRET, "a" * 32])
def test_the_image_defaults_to_production_and_refuses_to_start_without_a_real_secret(
    tmp_path: Path, secret: str | None
) -> None:
    env, command = image_defaults()
    assert env.get("FLOORBOARD_ENV") == "production"
    assert command[:2] == ["floorboard", "serve"]
    env["FLOORBOARD_DATA_DIR"] = str(tmp_path)  # the image's /data, here
    if secret is not None:
        env["FLOORBOARD_SECRET_KEY"] = secret
    code, err = run_floorboard(command, env)
    assert code != 0
    assert "FLOORBOARD_SECRET_KEY" in err
    assert not (tmp_path / "floorboard.db").exists()  # refused before touching anything


def test_compose_runs_every_floorboard_service_in_production_with_a_required_secret() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    built = {name: s for name, s in compose["services"].items() if "build" in s}
    assert built
    for name, service in built.items():
        environment = service["environment"]
        assert environment["FLOORBOARD_ENV"] == "production", name
        assert environment["FLOORBOARD_SECRET_KEY"].startswith("${FLOORBOARD_SECRET_KEY:?"), name
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^FLOORBOARD_SECRET_KEY=$", example, re.M)  # to be filled in, never given


def test_serve_dev_is_refused_in_production(tmp_path: Path) -> None:
    env = {
        "FLOORBOARD_ENV": "production",
        "FLOORBOARD_SECRET_KEY": secrets.token_urlsafe(32),
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    code, err = run_floorboard(["floorboard", "serve", "--dev"], env)
    assert code == 2
    assert "--dev" in err and "refused in production" in err
    assert not (tmp_path / "floorboard.db").exists()
