"""A fake Asterisk manager for tests and demos: the real AMI protocol on a TCP port.

It sends the banner, answers ``Login`` (accepting one username and secret, closing the
connection on a wrong one as Asterisk does), ``Events``, ``Ping``, ``QueueStatus`` and
``Logoff``, and once a client has events on and has asked for the queue status it replays a
*script*: recorded AMI event blocks from a text file.

Scripts (``tests/data/ami/*.txt``, format in :mod:`.script`) are sent as written, malformed
blocks included, so that a script can test a client's robustness. Directives: ``!oversize N``
sends one block of about N bytes, ``!sleep S`` pauses.

The server keeps the queues' state as the replay goes (callers join and leave, members are
added, removed, paused), starting from a *status* file of ``QueueMember`` and ``QueueEntry``
blocks; ``QueueStatus`` answers with that state, the way Asterisk does. The replay position is
the server's, not the connection's: ``drop_after`` cuts the connection after those script items,
and the next connection resumes after them, like a live stream that went on.

For a demo that looks live (timestamps shifted to now, events paced as recorded), run
``python -m collectors.ami.fake_server SCRIPT --status FILE --username U --secret S --retime
--speed 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from collectors.ami.protocol import Decoder, Message, ProtocolError, encode
from collectors.ami.script import Block, Directive, Item, QueueModel, load_script, timestamp


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    authenticated: bool = False
    events_on: bool = False
    replay: asyncio.Task[None] | None = None


class FakeAmiServer:
    """An AMI server on ``host:port`` (port 0: any free port; see :attr:`port`).

    Args:
        script: a script file or its loaded items.
        status: a status file (``QueueMember``/``QueueEntry`` blocks) for the initial state.
        username: the one user accepted.
        secret: its secret.
        host: the address to listen on (loopback by default).
        port: the port; 0 picks a free one.
        version: the AMI version the banner announces.
        chunk_size: send in pieces of this many bytes, to exercise partial reads.
        drop_after: script item numbers (0-based) after which the connection is cut, once each.
        speed: replay at this multiple of the recorded pace; ``None`` sends as fast as it can.
        retime: shift the blocks' ``Timestamp`` so that the first replayed one is now.
    """

    def __init__(
        self,
        script: Path | str | Sequence[Item],
        *,
        status: Path | str | None = None,
        username: str,
        secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        version: str = "9.0.0",
        chunk_size: int | None = None,
        drop_after: Iterable[int] = (),
        speed: float | None = None,
        retime: bool = False,
    ) -> None:
        self.script = list(script) if not isinstance(script, Path | str) else load_script(script)
        self.username, self.secret = username, secret
        self.host, self.port, self.version = host, port, version
        self.chunk_size, self.speed = chunk_size, speed
        first = next((timestamp(i) for i in self.script if timestamp(i) is not None), None)
        self.shift = (time.time() - first) if retime and first is not None else 0.0
        self.model = QueueModel(clock=(first if first is not None else time.time()) + self.shift)
        if status is not None:
            self.model.load(load_script(status))
        self.drops = set(drop_after)
        self.cursor = 0
        self.connections = self.logins = self.failed_logins = 0
        self.actions: Counter[str] = Counter()
        self.finished = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._sessions: set[_Session] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.writer.transport.abort()
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2.0)

    async def __aenter__(self) -> FakeAmiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        step = self.chunk_size or len(data) or 1
        for start in range(0, len(data), step):
            writer.write(data[start : start + step])
            await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        session = _Session(writer)
        self._sessions.add(session)
        decoder = Decoder()
        try:
            await self._write(writer, f"Asterisk Call Manager/{self.version}\r\n".encode())
            while data := await reader.read(65536):
                for item in decoder.feed(data):
                    if not await self._answer(item, session):
                        return
        except (ConnectionError, OSError):
            pass  # the client went away, or the replay cut the line on purpose
        finally:
            self._sessions.discard(session)
            if session.replay is not None:
                session.replay.cancel()
            writer.close()

    async def _reply(self, session: _Session, action_id: str, response: str, **fields: str) -> None:
        tag = [("ActionID", action_id)] if action_id else []
        await self._write(session.writer, encode([("Response", response), *tag, *fields.items()]))

    async def _answer(self, item: Message | ProtocolError, session: _Session) -> bool:
        """Answer one action; ``False`` closes the connection."""
        if isinstance(item, ProtocolError):
            await self._reply(session, "", "Error", Message=item.reason)
            return True
        action, action_id = item.get("Action").lower(), item.action_id
        self.actions[action] += 1
        if action == "login":
            return await self._login(item, session)
        if not session.authenticated:
            await self._reply(session, action_id, "Error", Message="Permission denied")
            return True
        if action == "events":
            session.events_on = item.get("EventMask").strip().lower() != "off"
            state = "On" if session.events_on else "Off"
            await self._reply(session, action_id, "Success", Events=state)
        elif action == "ping":
            stamp = f"{time.time():.6f}"
            await self._reply(session, action_id, "Success", Ping="Pong", Timestamp=stamp)
        elif action == "queuestatus":
            await self._write(session.writer, self.model.status(action_id))
            if session.events_on and session.replay is None:
                session.replay = asyncio.create_task(self._replay(session))
        elif action == "logoff":
            await self._reply(session, action_id, "Goodbye", Message="Thanks for all the fish.")
            return False
        else:
            await self._reply(session, action_id, "Error", Message="Invalid/unknown command")
        return True

    async def _login(self, item: Message, session: _Session) -> bool:
        if item.get("Username") != self.username or item.get("Secret") != self.secret:
            self.failed_logins += 1
            await self._reply(session, item.action_id, "Error", Message="Authentication failed")
            return False  # Asterisk hangs up on a failed login
        self.logins += 1
        session.authenticated = True
        session.events_on = item.get("Events").strip().lower() not in ("off", "")
        await self._reply(session, item.action_id, "Success", Message="Authentication accepted")
        return True

    async def _replay(self, session: _Session) -> None:
        previous: float | None = None
        while self.cursor < len(self.script):
            index, item = self.cursor, self.script[self.cursor]
            self.cursor += 1
            if isinstance(item, Directive):
                await self._directive(item, session)
            else:
                previous = await self._send_block(item, session, previous)
            if index in self.drops:
                self.drops.discard(index)
                session.writer.transport.abort()
                return
        self.finished.set()

    async def _directive(self, item: Directive, session: _Session) -> None:
        if item.name == "oversize":
            size = int(item.arg or 70_000)
            await self._write(session.writer, b"Event: Junk\r\nData: " + b"X" * size + b"\r\n\r\n")
        elif item.name == "sleep":
            await asyncio.sleep(float(item.arg or 0))

    async def _send_block(
        self, item: Block, session: _Session, previous: float | None
    ) -> float | None:
        ts = timestamp(item)
        data, msg = item.raw, item.message
        if ts is not None and msg is not None:
            ts += self.shift
            if self.speed and previous is not None:
                await asyncio.sleep(min(60.0, max(0.0, ts - previous) / self.speed))
            self.model.clock = ts
            if self.shift:
                msg = Message(
                    tuple((k, f"{ts:.6f}" if k == "Timestamp" else v) for k, v in msg.fields)
                )
                data = encode(msg.fields)
        if msg is not None:
            self.model.apply(msg)
        await self._write(session.writer, data)
        return ts if ts is not None else previous


async def _serve_forever(args: argparse.Namespace) -> None:
    server = FakeAmiServer(
        args.script,
        status=args.status,
        username=args.username,
        secret=args.secret,
        port=args.port,
        speed=args.speed,
        retime=args.retime,
    )
    await server.start()
    print(f"fake AMI on 127.0.0.1:{server.port} (user {args.username})", flush=True)  # noqa: T201
    await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m collectors.ami.fake_server SCRIPT [--status FILE] [--port N] ...``"""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("script", type=Path)
    parser.add_argument("--status", type=Path)
    parser.add_argument("--port", type=int, default=5038)
    parser.add_argument("--username", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--speed", type=float, default=None)
    parser.add_argument("--retime", action="store_true")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
