"""Redis clients for the pipeline: a single server or a Redis Cluster, never retrying blindly.

redis-py retries a command, and a whole MULTI/EXEC, after a connection error (three times by
default). When the connection drops after Redis executed the transaction but before its reply
arrived, the retry executes it a second time: a batch counted twice (redis-py issue #261 shows
the same for a single INCR). The pipeline's writers therefore use clients without automatic
retries; their own loops handle the error instead (the aggregator reloads its state from Redis,
the follower publishes again and the aggregator drops the events it has already applied).

Redis Cluster: URLs ``redis+cluster://[user:password@]host:port[,host:port...]`` (or
``rediss+cluster://`` for TLS) give a :class:`redis.cluster.RedisCluster`. redis-py (5.3 and
later) runs ``pipeline(transaction=True)`` on a cluster when every key of the transaction maps
to one slot (``TransactionStrategy``, redis-py PR #3611); all keys of a center or of a partition
share one hash tag, so every transaction of the pipeline qualifies.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.retry import Retry

RedisClient: TypeAlias = "redis.Redis | RedisCluster"
"""What the pipeline's classes accept: a client of one server or of a cluster."""

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def no_retry() -> Retry:
    """A retry policy that tries once: errors reach the caller, which knows what is safe."""
    return Retry(NoBackoff(), 0)


def is_cluster(client: Any) -> bool:
    return isinstance(client, RedisCluster)


def connect(url: str, *, retries: bool = True, **kwargs: Any) -> RedisClient:
    """A client for ``url`` with ``decode_responses=True``.

    Args:
        url: ``redis://``, ``rediss://``, ``unix://`` or ``redis+cluster://host:port,...``.
        retries: let redis-py retry after connection errors (fine for readers such as the web
            app; the pipeline's writers use :func:`without_retries`).
        **kwargs: passed to the client (``socket_timeout``...).

    Raises:
        ValueError: when a cluster URL names no node or a node without a port.
    """
    scheme, sep, rest = url.partition("://")
    kwargs.setdefault("decode_responses", True)
    if scheme not in CLUSTER_SCHEMES:
        if not retries:
            kwargs["retry"] = no_retry()
        return redis.Redis.from_url(url, **kwargs)
    auth, _, hosts = rest.rpartition("@")
    nodes = [_node(part, url) for part in hosts.split("/", 1)[0].split(",") if part]
    if not sep or not nodes:
        raise ValueError(f"{url!r}: a cluster URL names its nodes: redis+cluster://host:port,...")
    if auth:
        user, _, password = auth.partition(":")
        kwargs.setdefault("username", user or None)
        kwargs.setdefault("password", password or None)
    if CLUSTER_SCHEMES[scheme] == "rediss":
        kwargs.setdefault("ssl", True)
    return RedisCluster(startup_nodes=nodes, retry=None if retries else no_retry(), **kwargs)


def _node(text: str, url: str) -> ClusterNode:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{url!r}: {text!r} is not host:port")
    return ClusterNode(host.strip("[]"), int(port))  # type: ignore[no-untyped-call]


def without_retries(client: RedisClient) -> RedisClient:
    """A client of the same server(s) that never retries by itself (``client`` if it already
    does not). It has its own connections; ``client`` stays as it is."""
    if isinstance(client, RedisCluster):
        if client.retry.get_retries() == 0:
            return client
        manager = client.nodes_manager
        options = {
            k: v
            for k, v in manager.connection_kwargs.items()
            if k not in ("redis_connect_func", "retry", "host", "port")
        }
        return RedisCluster(
            startup_nodes=list(manager.startup_nodes.values()), retry=no_retry(), **options
        )
    pool = client.connection_pool
    if pool.connection_kwargs.get("retry") is not None:
        retry = pool.connection_kwargs["retry"]
        if isinstance(retry, Retry) and retry.get_retries() == 0:
            return client
    options = {**pool.connection_kwargs, "retry": no_retry()}
    clone = type(pool)(connection_class=pool.connection_class, **options)
    return redis.Redis(connection_pool=clone)
