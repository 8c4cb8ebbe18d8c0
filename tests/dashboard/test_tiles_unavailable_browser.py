"""The shipped center boards (en and zh) in headless Chromium after importing an Asterisk CDR
(issue 12.10): ASA, service level and AHT say they are not available from this source, the
counts are the true ones. Saves ``tests/output/screenshots/cdr-unavailable-{board}.png``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support.browser import tile_text
from support.waiting import wait_for

from collectors.aggregator.consumer import Aggregator
from collectors.cdr import import_calls, load_mapping
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "output" / "screenshots"
ZONE = "Europe/Berlin"  # the fixture's mapping zone, so that its calls fall on "today"


def _today_fixture(data_dir: Path, folder: Path) -> Path:
    """The multi-leg Asterisk fixture moved to today's date (same clock times)."""
    today = datetime.now(ZoneInfo(ZONE)).strftime("%Y-%m-%d")
    text = (data_dir / "cdr" / "asterisk16_legs.csv").read_text(encoding="utf-8")
    path = folder / "Master.csv"
    path.write_text(text.replace("2024-03-04", today), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str, Any]]:
    root = tmp_path_factory.mktemp("cdrsite")
    server = EmbeddedRedis(root / "redis").start()
    settings = load_settings(
        {},
        env="test",
        data_dir=root,
        redis_url=server.url,
        timezone=ZONE,
        key_prefix="fbcdr",
        stale_after_s=3600.0,
        port=0,
    )
    upgrade(settings.sqlalchemy_url)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    with session_scope(sessions) as session:
        token = service.create_display(
            session, name="wall", boards=("center", "center-zh"), created_by="t"
        ).token
    web: WebServerThread = serve_in_thread(settings, host="127.0.0.1", port=0)
    yield settings, token, (server, web, root)
    web.stop()
    server.stop()


def _import_today(settings: Settings, server: EmbeddedRedis, root: Path, data_dir: Path) -> None:
    keys = Keys(prefix="fbcdr", center=settings.center)
    client = server.client()
    import_calls(
        path=_today_fixture(data_dir, root),
        mapping=load_mapping(data_dir / "cdr" / "asterisk16_legs.yaml"),
        producer=EventProducer(client, keys=keys),
    )
    aggregator = Aggregator(client, keys=keys, config=aggregator_config(settings))
    aggregator.drain()
    aggregator.write_snapshot()


@pytest.mark.parametrize(
    ("board", "label", "sentence"),
    [
        ("center", "ASA", "ASA not available from this source"),
        ("center-zh", "服务水平", "此数据源无法提供服务水平"),  # the zh board has no ASA tile
    ],
)
def test_center_board_after_a_cdr_import(
    site: tuple[Settings, str, Any],
    dash_br: Any,
    data_dir: Path,
    board: str,
    label: str,
    sentence: str,
) -> None:
    settings, token, (server, web, root) = site
    _import_today(settings, server, root, data_dir)
    driver = dash_br.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{web.url}/board/{board}?token={token}")
    wait_for(lambda: sentence in tile_text(driver, label), what=sentence)
    assert "0:00" not in tile_text(driver, label) and "100%" not in tile_text(driver, label)
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"cdr-unavailable-{board}.png"))
