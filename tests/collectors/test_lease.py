"""One active aggregator per stream: the lease, its fencing of every batch transaction, and
the clients that never retry a transaction blindly."""

from __future__ import annotations

import pytest
import redis
from event_factories import T0, answered_call
from redis.exceptions import WatchError

from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.lease import Lease, LeaseLost
from collectors.keys import Keys
from collectors.pipeline.clients import connect, without_retries
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis


def worker(client: redis.Redis, keys: Keys, name: str) -> Aggregator:
    aggregator = Aggregator(client, keys=keys, options=ConsumerOptions(consumer=name))
    aggregator.ensure_group()
    aggregator.load()
    return aggregator


def test_a_worker_that_lost_its_lease_writes_nothing(redis_client: redis.Redis, keys: Keys) -> None:
    EventProducer(redis_client, keys=keys).publish(
        answered_call("c1", "q", "ann", T0, wait=3, talk=9)
    )
    stale = worker(redis_client, keys, "a")
    assert stale.hold_lease()
    # a stalls past its lease; b takes over
    redis_client.delete(keys.aggregator_lock)
    other = worker(redis_client, keys, "b")
    assert (
        other.hold_lease()
        and not Lease(redis_client, key=keys.aggregator_lock, owner="a", ttl_ms=1000).hold()
    )
    with pytest.raises(LeaseLost):
        stale.step(block=False)
    assert redis_client.hget(keys.stats, "applied") is None
    assert redis_client.hlen(keys.live_agents) == 0


def test_a_lease_taken_between_watch_and_exec_aborts_the_transaction(
    redis_client: redis.Redis, keys: Keys
) -> None:
    lease = Lease(redis_client, key=keys.aggregator_lock, owner="a", ttl_ms=10_000)
    assert lease.hold()
    pipe = redis_client.pipeline(transaction=True)
    lease.fence(pipe)
    pipe.set(keys.snapshot, "from a")
    redis_client.set(keys.aggregator_lock, "b")  # b took over meanwhile
    with pytest.raises(WatchError):
        pipe.execute()
    assert redis_client.get(keys.snapshot) is None


def test_renewal_is_rare_and_release_hands_over_at_once(
    redis_client: redis.Redis, keys: Keys
) -> None:
    clock = [0.0]
    lease = Lease(
        redis_client, key=keys.aggregator_lock, owner="a", ttl_ms=3000, clock=lambda: clock[0]
    )
    waited = []
    assert lease.hold(before_renew=lambda: waited.append(1))
    clock[0] = 0.5
    assert lease.hold(before_renew=lambda: waited.append(2))  # within a third: no round trip
    clock[0] = 1.1
    assert lease.hold(before_renew=lambda: waited.append(3))
    assert waited == [1, 3]
    lease.release()
    assert redis_client.get(keys.aggregator_lock) is None
    assert Lease(redis_client, key=keys.aggregator_lock, owner="b", ttl_ms=3000).hold()


def test_pipeline_clients_do_not_retry_and_leave_the_given_client_alone(
    redis_server: EmbeddedRedis,
) -> None:
    client = redis_server.client()  # redis.Redis(port=...) retries 10 times by default
    assert client.connection_pool.make_connection().retry.get_retries() > 0
    writer = without_retries(client)
    assert writer is not client and writer.ping()
    assert writer.connection_pool.make_connection().retry.get_retries() == 0
    assert client.connection_pool.make_connection().retry.get_retries() > 0
    assert without_retries(writer) is writer
    quiet = connect(redis_server.url, retries=False)
    assert isinstance(quiet, redis.Redis) and without_retries(quiet) is quiet
