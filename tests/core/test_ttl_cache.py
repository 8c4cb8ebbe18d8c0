"""The one TTL cache (``core.ttl_cache``): expiry on an injected clock, invalidation, one load
at a time, a failed load keeping the last value, and background reloads."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from core.ttl_cache import Reloading, TtlCache

WAIT = 10.0  # seconds a test waits for a state before failing (never a measured time)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A loader that counts its calls and returns ``name:call number``."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, key: str) -> str:
        with self.lock:
            self.calls[key] += 1
            return f"{key}:{self.calls[key]}"


def test_a_value_is_kept_for_its_ttl_then_loaded_again() -> None:
    clock, loads = Clock(), Loads()
    cache: TtlCache[str, str] = TtlCache(ttl_s=10, clock=clock)
    assert cache.get_or_load("a", loads) == "a:1"
    clock.now += 9.9
    assert cache.get_or_load("a", loads) == "a:1"
    clock.now += 0.1
    assert cache.get_or_load("a", loads) == "a:2"
    assert cache.get_or_load("b", loads) == "b:1"


def test_none_is_a_value_and_load_ignores_the_age() -> None:
    clock = Clock()
    cache: TtlCache[int, str | None] = TtlCache(ttl_s=10, clock=clock)
    calls: list[int] = []

    def nothing(key: int) -> None:
        calls.append(key)

    assert cache.get_or_load(1, nothing) is None
    assert cache.get_or_load(1, nothing) is None
    assert calls == [1]
    assert cache.load(1, lambda key: "now") == "now"
    assert cache.get_or_load(1, nothing) == "now"


def test_invalidation_of_one_key_or_all() -> None:
    loads = Loads()
    cache: TtlCache[str, str] = TtlCache(ttl_s=60, clock=Clock())
    cache.get_or_load("a", loads)
    cache.get_or_load("b", loads)
    cache.invalidate("a")
    assert cache.get_or_load("a", loads) == "a:2"
    assert cache.get_or_load("b", loads) == "b:1"
    cache.invalidate()
    assert len(cache) == 0
    assert cache.get_or_load("b", loads) == "b:2"


def test_a_failed_load_raises_and_keeps_nothing() -> None:
    cache: TtlCache[str, str] = TtlCache(ttl_s=60, clock=Clock())

    def broken(key: str) -> str:
        raise OSError("down")

    with pytest.raises(OSError, match="down"):
        cache.get_or_load("a", broken)
    assert len(cache) == 0


def test_a_full_cache_starts_afresh() -> None:
    loads = Loads()
    cache: TtlCache[str, str] = TtlCache(ttl_s=60, clock=Clock(), max_entries=3)
    for key in "abc":
        cache.get_or_load(key, loads)
    cache.get_or_load("a", loads)  # known keys do not count
    assert len(cache) == 3
    cache.get_or_load("d", loads)
    assert len(cache) == 1
    assert cache.get_or_load("a", loads) == "a:2"


def test_get_or_load_from_many_threads_returns_each_keys_value() -> None:
    clock = Clock()
    cache: TtlCache[int, int] = TtlCache(ttl_s=5, clock=clock, max_entries=50)
    start = threading.Barrier(8)
    wrong: list[tuple[int, int]] = []

    def worker(seed: int) -> None:
        start.wait()
        for i in range(2000):
            key = (seed * 7 + i) % 64
            if i % 97 == 0:
                cache.invalidate(key if i % 2 else None)
            value = cache.get_or_load(key, lambda k: k * 10)
            if value != key * 10:
                wrong.append((key, value))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == []
    assert len(cache) <= 50


# -- one value ------------------------------------------------------------------------------


def test_one_value_is_reloaded_after_its_ttl_or_an_invalidation() -> None:
    clock = Clock()
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    value = Reloading(load, initial=0, ttl_s=10, clock=clock)
    assert value.value == 0 and value.loads == 0 and not value.fresh()
    assert value.get() == 1
    clock.now += 9
    assert value.get() == 1 and value.fresh()
    clock.now += 1
    assert value.get() == 2
    value.invalidate()
    assert not value.fresh()
    assert value.get() == 3
    assert value.refresh(max_age_s=60) == 3  # young enough for this caller
    assert value.loads == 3


def test_a_failed_load_keeps_the_last_value_until_the_next_ttl() -> None:
    clock = Clock()
    state = {"fail": False, "n": 0}
    errors: list[str] = []

    def load() -> int:
        if state["fail"]:
            raise ConnectionError("database down")
        state["n"] += 1
        return state["n"]

    value = Reloading(
        load, initial=0, ttl_s=10, clock=clock, keep_on=(ConnectionError,),
        on_error=lambda: errors.append("logged"),
    )  # fmt: skip
    assert value.get() == 1
    state["fail"] = True
    clock.now += 10
    assert value.get() == 1 and errors == ["logged"]
    assert value.get() == 1 and errors == ["logged"]  # not retried before the TTL
    state["fail"] = False
    clock.now += 10
    assert value.get() == 2


def test_other_errors_propagate() -> None:
    def load() -> int:
        raise KeyError("bug")

    value = Reloading(load, initial=0, ttl_s=10, clock=Clock(), keep_on=(ConnectionError,))
    with pytest.raises(KeyError):
        value.get()


def blocked_loader() -> tuple[threading.Event, threading.Event, list[int], Reloading[str]]:
    """A value whose second load runs until ``release`` is set (``started`` says it began)."""
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def load() -> str:
        calls.append(1)
        if len(calls) > 1:
            started.set()
            assert release.wait(WAIT)
        return f"v{len(calls)}"

    clock = Clock()
    value = Reloading(load, initial="none", ttl_s=10, clock=clock)
    assert value.get() == "v1"
    clock.now += 10
    return started, release, calls, value


def test_while_one_thread_loads_the_others_get_the_current_value_without_waiting() -> None:
    started, release, calls, value = blocked_loader()
    loader = threading.Thread(target=value.get)
    loader.start()
    assert started.wait(WAIT)
    answers: list[str] = []
    readers = [threading.Thread(target=lambda: answers.append(value.get())) for _ in range(10)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(WAIT)  # they return although the load is still blocked
    assert answers == ["v1"] * 10 and value.loading
    release.set()
    loader.join(WAIT)
    assert len(calls) == 2 and value.get() == "v2" and not value.loading


def test_a_waiting_caller_gets_the_load_in_progress() -> None:
    started, release, calls, value = blocked_loader()
    loader = threading.Thread(target=value.get)
    loader.start()
    assert started.wait(WAIT)
    answers: list[str] = []
    waiter = threading.Thread(target=lambda: answers.append(value.refresh(wait=True)))
    waiter.start()
    assert answers == []  # still blocked with the load
    release.set()
    waiter.join(WAIT)
    loader.join(WAIT)
    assert answers == ["v2"] and len(calls) == 2  # it did not load a third time


def test_a_background_reload_answers_at_once_with_one_thread() -> None:
    started, release, calls, value = blocked_loader()
    assert value.get_in_background() == "v1"
    assert started.wait(WAIT)
    assert [value.get_in_background() for _ in range(5)] == ["v1"] * 5
    assert value.loading
    release.set()
    for _ in range(int(WAIT * 100)):
        if not value.loading:
            break
        threading.Event().wait(0.01)
    assert not value.loading and value.value == "v2" and len(calls) == 2
