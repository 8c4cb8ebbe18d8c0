"""Rows shaped like Asterisk ``cdr_csv`` Master.csv lines, for tests that need many of them.

Asterisk's ``cdr_csv.c`` writes, per CDR: accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
then uniqueid (``loguniqueid``) and userfield (``loguserfield``): 18 columns; Asterisk 12+ with
``newcdrcolumns = yes`` adds peeraccount, linkedid, sequence: 21. Strings are quoted, numbers
not, times are ``%Y-%m-%d %H:%M:%S`` in the server's local time, and there is no header.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MASTER_18 = [
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
    "uniqueid", "userfield",
]  # fmt: skip
MASTER_21 = [*MASTER_18, "peeraccount", "linkedid", "sequence"]
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 3, 4, 9, 0, 0, tzinfo=ZONE)  # uniqueid epoch 1709514000


def queue_call(i: int, *, width: int = 21, agent: str = "8001", wait: int = 12) -> list[str]:
    """Call ``i`` (one a minute from 09:00 Beijing time) answered in Queue(support) after
    ``wait`` seconds, talking 100 s; ``agent=""`` is a caller who hung up in the queue."""
    start = START + timedelta(minutes=i)
    epoch = int(start.timestamp())
    uniqueid = f"{epoch}.{100 + i}"
    talk = 100 if agent else 0
    end = start + timedelta(seconds=wait + talk)
    fmt = "%Y-%m-%d %H:%M:%S"
    duration = int((end - start).total_seconds())
    cells = {
        "accountcode": "",
        "src": f"138001380{i:02d}",
        "dst": "4000",
        "dcontext": "from-pstn",
        "clid": f'"Caller {i}" <138001380{i:02d}>',
        "channel": f"PJSIP/trunk-{2 * i:08x}",
        "dstchannel": f"PJSIP/{agent}-{2 * i + 1:08x}" if agent else "",
        "lastapp": "Queue",
        "lastdata": "support,t,,,300",
        "start": start.strftime(fmt),
        # Queue() answers the caller's channel at once: answer == start (issue 12 point 10).
        "answer": start.strftime(fmt),
        "end": end.strftime(fmt),
        "duration": str(duration),
        "billsec": str(duration),
        "disposition": "ANSWERED",
        "amaflags": "DOCUMENTATION",
        "uniqueid": uniqueid,
        "userfield": "",
        "peeraccount": "",
        "linkedid": uniqueid,
        "sequence": str(i),
    }
    names = MASTER_21 if width == 21 else MASTER_18
    return [cells[name] for name in names]


def master_csv(rows: list[list[str]], *, header: list[str] | None = None) -> str:
    """The rows as Asterisk writes them (strings quoted, numbers not; no header unless given)."""

    def line(cells: list[str]) -> str:
        return ",".join(c if c.isdigit() else '"' + c.replace('"', '""') + '"' for c in cells)

    return "".join(line(cells) + "\n" for cells in ([header] if header else []) + rows)
