"""The display-token cache under concurrent TVs: a first load in progress refuses nobody, and a
reload never makes a known screen wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from dashboard.auth.cache import DisplayCache


def test_screens_arriving_during_the_first_load_are_all_let_in(
    sessions: sessionmaker[Session], make_display: Callable[..., str]
) -> None:
    token = make_display(("center",))
    cache = DisplayCache(sessions)
    found: list[Any] = []
    start = threading.Barrier(20)

    def screen() -> None:
        start.wait()
        found.append(cache.lookup(token))

    threads = [threading.Thread(target=screen) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 20
    assert all(info is not None and info.boards == ("center",) for info in found)


def test_a_screen_arriving_during_the_first_load_waits_for_it(
    sessions: sessionmaker[Session], make_display: Callable[..., str]
) -> None:
    token = make_display(("center",))
    cache = DisplayCache(sessions)
    answers: dict[str, Any] = {}
    with cache._table.load_lock:  # the first load, in progress in another thread
        screen = threading.Thread(target=lambda: answers.update(info=cache.lookup(token)))
        screen.start()
        time.sleep(0.3)
        assert "info" not in answers  # waits: an empty table must not refuse it
    screen.join(timeout=5)
    assert answers["info"] is not None


def test_a_known_screen_never_waits_for_a_reload(
    sessions: sessionmaker[Session], make_display: Callable[..., str]
) -> None:
    known = make_display(("center",))
    cache = DisplayCache(sessions, ttl_s=0.0)  # every lookup finds the table old
    assert cache.lookup(known) is not None
    new = make_display(("agents",))
    time.sleep(cache.miss_reload_s + 0.1)  # an unknown token may reload the table again
    answers: dict[str, Any] = {}
    with cache._table.load_lock:  # another thread is reloading (slowly)
        began = time.monotonic()
        assert cache.lookup(known) is not None
        assert time.monotonic() - began < 0.5
        waiter = threading.Thread(target=lambda: answers.update(new=cache.lookup(new)))
        waiter.start()
        time.sleep(0.3)
        assert "new" not in answers  # an unknown token waits for the reload in progress
    waiter.join(timeout=5)
    assert answers["new"] is not None and answers["new"].boards == ("agents",)
