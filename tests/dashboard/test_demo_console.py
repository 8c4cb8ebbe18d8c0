"""A first run that explains itself: ``make demo`` says what each set-up step does, and the
demo's console shows its status lines in the center's time, without the web access log (which
goes to a file under the data folder, named at start)."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from faults.support import Floorboard, wait_until

from collectors.redis_server import free_port
from dashboard.cli.demo import business_hours_zone

ROOT = Path(__file__).resolve().parents[2]
STATUS = re.compile(r"^(\d\d):(\d\d):(\d\d) (\S+)  events ", re.MULTILINE)
ACCESS = re.compile(r'"(GET|POST) /')


@pytest.mark.skipif(shutil.which("make") is None, reason="no make here")
def test_make_demo_announces_every_set_up_step_and_shows_pip_working(tmp_path: Path) -> None:
    plan = subprocess.run(
        ["make", "-n", "demo", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    steps = [i for i, line in enumerate(plan) if "-m venv" in line or "pip install" in line]
    assert len(steps) == 3, plan  # the venv, pip, Floorboard with its compiled hot path
    for i in steps:
        assert plan[i - 1].startswith('echo "==> '), f"no announcement before {plan[i]}"
        assert " -q" not in plan[i], f"a silent step: {plan[i]}"
    assert "compiling the hot path" in plan[steps[-1] - 1]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Floorboard]:
    zone = business_hours_zone(datetime.now(UTC))
    env = {
        "FLOORBOARD_DATA_DIR": str(tmp_path / "data"),
        "FLOORBOARD_TIMEZONE": zone,
        "FLOORBOARD_REDIS_URL": "",
        "FLOORBOARD_HOST": "127.0.0.1",
        "FLOORBOARD_PORT": str(free_port()),
    }
    demo = Floorboard(env, tmp_path / "logs")
    yield demo
    demo.stop_all()


def test_the_demo_console_shows_center_time_and_keeps_the_access_log_in_a_file(
    console: Floorboard, tmp_path: Path
) -> None:
    zone = console.env["FLOORBOARD_TIMEZONE"]
    base = f"http://127.0.0.1:{console.env['FLOORBOARD_PORT']}"
    access_log = tmp_path / "data" / "logs" / "web-access.log"
    process = console.start("demo", "--history-days", "0", "--agents", "12")
    wait_until(
        lambda: "Ctrl-C to stop" in console.output(),
        timeout=180,
        what=lambda: f"the demo to be up\n{console.output()}",
    )
    for _ in range(3):
        with urllib.request.urlopen(f"{base}/login") as reply:  # noqa: S310 - our own server
            assert reply.status == 200
    wait_until(
        lambda: access_log.exists() and "GET /login" in access_log.read_text(),
        timeout=30,
        what="the requests in the access log",
    )
    shown = len(STATUS.findall(console.output()))
    wait_until(  # a status line printed after the requests
        lambda: len(STATUS.findall(console.output())) > shown,
        timeout=60,
        what=lambda: f"a status line\n{console.output()}",
    )
    console.stop_all()
    assert process.returncode == 0
    output = console.output()

    assert f"web access log: {access_log}" in output
    assert not ACCESS.search(output), output  # no request line on the console
    assert "\x1b[" not in access_log.read_text()  # a file gets no terminal colours
    # The status line's time is the center's, labelled with its zone.
    hours, minutes, _seconds, label = STATUS.findall(output)[-1]
    now = datetime.now(ZoneInfo(zone))
    abbreviation = now.tzname() or ""
    assert label == (f"UTC{abbreviation}" if abbreviation[:1] in "+-" else abbreviation), output
    shown_at = now.replace(hour=int(hours), minute=int(minutes))
    assert abs((now - shown_at).total_seconds()) < 600, (output, now)
