"""``floorboard simulate`` rides out its Redis dying and coming back: it waits with back-off,
sends the same batch again and carries on; the stream ends up with every simulated event, in
order, none skipped (a batch sent twice carries the same ids, which the aggregator drops)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis
from faults.support import Floorboard, wait_until

from collectors.events import decode_frame
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate

START = "2026-01-05T08:00"  # a Monday morning: the queues fill up
QUEUES = ["sales", "support", "billing", "vip"]


def test_simulate_carries_on_across_a_redis_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always").start()
    client = redis.Redis(port=server.port, decode_responses=True)
    keys = Keys(prefix="sim-restart")
    env = {
        "FLOORBOARD_REDIS_URL": server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
        "FLOORBOARD_TIMEZONE": "UTC",
    }
    fb = Floorboard(env, tmp_path / "logs")
    try:
        process = fb.start(
            "simulate", "--seed", "5", "--start", START, "--duration", "3h", "--speed", "900",
            "--status-every", "1",
        )  # fmt: skip
        wait_until(
            lambda: client.xlen(keys.events) > 0,
            timeout=60,
            what=lambda: f"the first events\n{fb.output()}",
        )
        server.stop(kill=True)
        wait_until(  # the simulator noticed, and waits
            lambda: "simulate: Redis unavailable" in fb.output() or process.poll() is not None,
            timeout=60,
            what=lambda: f"the simulator to notice the outage\n{fb.output()}",
        )
        assert process.poll() is None, f"simulate gave up\n{fb.output()}"
        server.start()
        process.wait(timeout=120)
        output = fb.output()
        published = [
            event.event_id
            for _id, fields in client.xrange(keys.events)
            for event in decode_frame(fields["e"])
        ]
    finally:
        fb.stop_all()
        client.close()
        server.stop()
    assert process.returncode == 0 and "done" in output, output
    assert output.count("simulate: Redis unavailable") == 1, output
    assert output.count("simulate: Redis is back") == 1, output
    start = datetime.fromisoformat(START).replace(tzinfo=ZoneInfo("UTC")).timestamp()
    config = default_center(agents=18, queues=QUEUES, timezone="UTC")
    expected = [
        e.event_id for e in generate(config=config, seed=5, start=start, end=start + 3 * 3600)
    ]
    assert list(dict.fromkeys(published)) == expected
