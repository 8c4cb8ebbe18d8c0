"""``docker-compose.yml`` checked without a Docker engine: parsed with PyYAML and held to the
rules that matter (compose's own rules for the keys we use, and ours: images we build or
document, real ``floorboard`` commands, health checks, restart policies, named volumes,
variables documented in ``.env.example``). With a ``docker`` binary, ``docker compose config``
must accept it too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from dashboard.cli import main
from dashboard.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DEPLOYMENT = REPO / "docs" / "DEPLOYMENT.md"
DOCKERFILE = REPO / "Dockerfile"

SERVICE_KEYS = {
    "image", "build", "command", "environment", "env_file", "depends_on", "restart",
    "healthcheck", "volumes", "ports", "profiles", "deploy", "labels", "logging",
}  # fmt: skip
HEALTH_KEYS = {"test", "interval", "timeout", "retries", "start_period", "disable"}
RESTART = {"no", "always", "on-failure", "unless-stopped"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
DURATION = re.compile(r"^\d+(ms|s|m|h)$")
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(?::?[-?])[^}]*)?\}")
EXTRA_SETTINGS = {"FLOORBOARD_PARTITIONS"}  # read by dashboard/runtime.py


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def test_top_level_and_service_keys_follow_the_compose_rules(compose: dict[str, Any]) -> None:
    assert set(compose) <= {"services", "volumes", "networks", "name"} | {
        k for k in compose if k.startswith("x-")
    }
    for name, service in services(compose).items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unknown keys {set(service) - SERVICE_KEYS}"
        assert "image" in service or "build" in service, name
        assert service.get("restart", "no") in RESTART, name
        health = service.get("healthcheck", {})
        assert set(health) <= HEALTH_KEYS, name
        for key in ("interval", "timeout", "start_period"):
            assert key not in health or DURATION.match(health[key]), f"{name}: {key}"
        if health:
            assert health["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_images_are_built_here_or_official_and_documented(compose: dict[str, Any]) -> None:
    doc = DEPLOYMENT.read_text(encoding="utf-8")
    for name, service in services(compose).items():
        if "build" in service:
            assert service["build"] == "." and DOCKERFILE.exists(), name
            assert service["image"].startswith("floorboard:"), name
            continue
        image = service["image"]
        assert "/" not in image, f"{name}: {image} is not an official (library) image"
        assert f"`{image}`" in doc, f"{name}: {image} is not named in docs/DEPLOYMENT.md"


def resolve(argv: list[str]) -> click.Command:
    """The click command ``argv`` runs; its options are parsed (not run) on the way."""
    assert argv[0] == "floorboard", argv
    command: click.Command = main
    args = argv[1:]
    path = ["floorboard"]
    while isinstance(command, click.Group):
        name, args = args[0], args[1:]
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"{' '.join(path)} has no subcommand {name!r}"
        command, path = found, [*path, name]
    command.make_context(" ".join(path), list(args))  # raises on an unknown option
    return command


def test_every_command_is_a_real_floorboard_subcommand(compose: dict[str, Any]) -> None:
    commands = {name: s["command"] for name, s in services(compose).items() if "build" in s}
    assert {"migrate", "web", "aggregator", "collector-queue-log"} <= set(commands)
    for name, argv in commands.items():
        resolve(argv)
        health = services(compose)[name].get("healthcheck", {}).get("test", [])
        if health[1:2] == ["floorboard"]:
            resolve(health[1:])
    with pytest.raises(click.UsageError):
        resolve(["floorboard", "aggregate", "--no-such-option"])


def test_long_running_services_restart_and_have_health_checks(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        if service.get("restart") == "no":
            continue  # one-shot (migrate)
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for needed, condition in (service.get("depends_on") or {}).items():
            assert needed in services(compose), f"{name} depends on unknown {needed}"
            assert condition["condition"] in CONDITIONS, name
            if condition["condition"] == "service_healthy":
                assert services(compose)[needed].get("healthcheck"), needed


def test_redis_keeps_an_append_only_file_on_a_named_volume(compose: dict[str, Any]) -> None:
    redis = services(compose)["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith(("/", ".", "$")):
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared == {"redis-data", "postgres-data"}


def test_variables_are_documented_and_settings_exist(compose: dict[str, Any]) -> None:
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    used = set(VARIABLE.findall(COMPOSE.read_text(encoding="utf-8")))
    assert used, "no variables found: the pattern is wrong"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"
    known = {f"FLOORBOARD_{name.upper()}" for name in Settings.__dataclass_fields__}
    for name, service in services(compose).items():
        for key in service.get("environment", {}):
            if key.startswith("FLOORBOARD_"):
                assert key in known | EXTRA_SETTINGS, f"{name}: {key} is not a setting"


def test_the_dockerfile_copies_what_exists_and_installs_the_command() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:  # --from: an earlier stage's
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'floorboard = "dashboard.cli:main"' in pyproject
    assert "psycopg" in text and "USER " in text
    # The build stage has a compiler and setup.py, so the image runs the compiled hot path.
    assert "gcc" in text and "setup.py" in text and "pip wheel" in text


def test_the_web_health_check_route_answers(tmp_path: Path) -> None:
    from dashboard.app import create_app  # noqa: PLC0415 - builds the whole web app

    settings = Settings(env="test", data_dir=tmp_path)
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200


def compose_plugin() -> bool:
    """Whether ``docker compose`` exists here (no engine is needed for ``config``)."""
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    if not compose_plugin():
        pytest.skip("no `docker compose` here; the checks above stand in for it")
    env = tmp_path / ".env"
    env.write_text("FLOORBOARD_SECRET_KEY=" + "x" * 40 + "\nPOSTGRES_PASSWORD=p\n")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--env-file", str(env), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
