"""The board clients of the wallboard benchmark: what a TV's browser sends, over keep-alive HTTP.

A client first does what the page does once (GET the board URL with its display token, which
puts the token in the session cookie; the page router callback that returns the board's
layout), then what it does forever: the ``_dash-update-component`` POST of the board refresh
every second and of the ticker every three seconds. Request bodies are built from the app's
own callback definitions (``/_dash-dependencies``) and the layout's component ids, the way
dash-renderer builds them; each reply's stores (chart and ticker signatures) go into the next
request, as in the browser.

Latency is measured from the moment the browser's interval would have fired, not from when the
request was sent, so a server that falls behind is not flattered (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
TV_SCREEN = {"w": 1920, "h": 1080}


class Connection:
    """One keep-alive HTTP/1.1 connection (reconnects when the server closed it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; returns status, headers (lower-case names) and body."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(method, path, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        reply: dict[str, str] = {}
        for line in head[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                key = name.strip().lower()
                # Several Set-Cookie headers: kept one per line.
                reply[key] = f"{reply[key]}\n{value.strip()}" if key in reply else value.strip()
        if reply.get("transfer-encoding") == "chunked":
            data = await self._chunks()
        else:
            data = await self.reader.readexactly(int(reply.get("content-length", 0)))
        if reply.get("connection", "").lower() == "close":
            self.close()
        return status, reply, data

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _components(tree: Any) -> Iterator[dict[str, Any]]:
    """Every component of a serialised layout that has an id, in layout order."""
    if isinstance(tree, list):
        for item in tree:
            yield from _components(item)
    elif isinstance(tree, dict) and "props" in tree:
        props = tree["props"]
        if props.get("id") is not None:
            yield props
        for value in props.values():
            if isinstance(value, list | dict):
                yield from _components(value)


@dataclass
class Callback:
    """One server callback of the page, as dash-renderer sends it."""

    output: str
    outputs: list[Any]
    inputs: list[dict[str, Any]]
    state: list[dict[str, Any]]
    stores: dict[str, Any] = field(default_factory=dict)
    count: int = 0

    def body(self) -> bytes:
        """The request body of the next firing (the first one carries no input value)."""
        inputs = [dict(i) for i in self.inputs]
        changed: list[str] = []
        if self.count:
            inputs[0]["value"] = self.count
            changed = [f"{inputs[0]['id']}.{inputs[0]['property']}"]
        self.count += 1
        state = []
        for item in self.state:
            entry = {"id": item["id"], "property": item["property"]}
            value = self.stores.get(item["id"], item.get("value"))
            if value is not None:
                entry["value"] = value
            state.append(entry)
        doc = {
            "output": self.output,
            "outputs": self.outputs,
            "inputs": inputs,
            "changedPropIds": changed,
            "parsedChangedPropsIds": changed,
            "state": state,
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    def absorb(self, reply: bytes) -> None:
        """Keep the stores the reply updated (they are the next request's state)."""
        for key, props in json.loads(reply).get("response", {}).items():
            if not key.startswith("{") and "data" in props:
                self.stores[key] = props["data"]


def _output_list(output: str, layout: list[dict[str, Any]]) -> list[Any]:
    outputs = []
    for part in output.strip(".").split("..."):
        id_text, prop = part.rsplit(".", 1)
        if not id_text.startswith("{"):
            outputs.append({"id": id_text, "property": prop})
            continue
        pattern = json.loads(id_text)
        kind = pattern["type"]
        outputs.append(
            [
                {"id": p["id"], "property": prop}
                for p in layout
                if isinstance(p["id"], dict) and p["id"].get("type") == kind
            ]
        )
    return outputs if len(outputs) > 1 else outputs[0]


def callback_for(
    deps: list[dict[str, Any]], layout: list[dict[str, Any]], input_id: str
) -> Callback:
    """The callback triggered by ``input_id``, with the layout's current values as state."""
    spec = next(d for d in deps if any(i["id"] == input_id for i in d["inputs"]))
    values = {p["id"]: p for p in layout if isinstance(p["id"], str)}
    state = [
        {**s, "value": values.get(s["id"], {}).get(s["property"])} for s in spec.get("state", [])
    ]
    return Callback(
        output=spec["output"],
        outputs=_output_list(spec["output"], layout),
        inputs=[{"id": i["id"], "property": i["property"]} for i in spec["inputs"]],
        state=state,
    )


@dataclass
class Sample:
    """One finished request: which callback, latency from the scheduled firing, status."""

    kind: str
    scheduled: float
    latency: float
    status: int
    size: int


@dataclass
class BoardClient:
    """One TV showing ``board`` (its two callbacks on two connections, as a browser does)."""

    host: str
    port: int
    board: str
    token: str
    deps: list[dict[str, Any]]
    cookies: dict[str, str] = field(default_factory=dict)
    refresh: Callback | None = None
    ticker: Callback | None = None

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if "_csrf_token" in self.cookies:  # dash-renderer copies this cookie into a header
            headers["X-CSRFToken"] = self.cookies["_csrf_token"]
        return headers

    def keep_cookies(self, headers: dict[str, str]) -> None:
        for line in headers.get("set-cookie", "").splitlines():
            name, _, value = line.split(";", 1)[0].partition("=")
            if name:
                self.cookies[name.strip()] = value

    async def open(self) -> None:
        """Load the page as the browser does: the URL with the token, then the router."""
        conn = Connection(self.host, self.port)
        query = f"?token={self.token}"
        status, headers, _ = await conn.request("GET", f"/board/{self.board}{query}")
        if status != 200:
            raise RuntimeError(f"GET /board/{self.board}: HTTP {status}")
        self.keep_cookies(headers)
        router = {
            "output": ROUTER_OUTPUT,
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": f"/board/{self.board}"},
                {"id": "_pages_location", "property": "search", "value": query},
            ],
            "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        }
        status, headers, reply = await conn.request(
            "POST", "/_dash-update-component", body=json.dumps(router).encode(),
            headers=self._headers(),
        )  # fmt: skip
        conn.close()
        self.keep_cookies(headers)
        if status != 200:
            raise RuntimeError(f"page router for {self.board}: HTTP {status}")
        tree = json.loads(reply)["response"]["_pages_content"]["children"]
        layout = list(_components(tree))
        self.refresh = callback_for(self.deps, layout, "board-refresh")
        self.refresh.stores["board-screen"] = TV_SCREEN  # set by the page's watchdog
        self.ticker = callback_for(self.deps, layout, "board-ticker-refresh")

    async def run(
        self, until: float, record: Callable[[Sample], None], *, refresh_s: float = 1.0
    ) -> None:
        """Fire both callbacks on their intervals until the monotonic time ``until``."""
        assert self.refresh is not None and self.ticker is not None
        await asyncio.gather(
            self._loop(self.refresh, "refresh", refresh_s, until, record),
            self._loop(self.ticker, "ticker", 3.0, until, record),
        )

    async def _loop(
        self,
        callback: Callback,
        kind: str,
        every: float,
        until: float,
        record: Callable[[Sample], None],
    ) -> None:
        conn = Connection(self.host, self.port)
        due = time.monotonic() + random.uniform(0, every)
        try:
            while due < until:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                try:
                    status, headers, reply = await conn.request(
                        "POST", "/_dash-update-component", body=callback.body(),
                        headers=self._headers(),
                    )  # fmt: skip
                    self.keep_cookies(headers)
                except (OSError, asyncio.IncompleteReadError):
                    status, reply = 0, b""
                    conn.close()
                record(Sample(kind, due, time.monotonic() - due, status, len(reply)))
                if status == 200:
                    callback.absorb(reply)
                # Like setInterval: the next firing is on the grid; a late one fires at once.
                due += every * max(1, int((time.monotonic() - due) // every) + 1)
        finally:
            conn.close()


async def fetch_json(host: str, port: int, path: str) -> Any:
    conn = Connection(host, port)
    try:
        status, _, body = await conn.request("GET", path)
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}")
    return json.loads(body)


async def poll(
    host: str, port: int, path: str, until: float, record: Callable[[Sample], None]
) -> None:
    """A client of the bare baseline route: one GET per second."""
    conn = Connection(host, port)
    due = time.monotonic() + random.uniform(0, 1)
    with contextlib.suppress(asyncio.CancelledError):
        while due < until:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            try:
                status, _, body = await conn.request("GET", path)
            except (OSError, asyncio.IncompleteReadError):
                status, body = 0, b""
                conn.close()
            record(Sample("bare", due, time.monotonic() - due, status, len(body)))
            due += max(1, int(time.monotonic() - due) + 1)
    conn.close()
