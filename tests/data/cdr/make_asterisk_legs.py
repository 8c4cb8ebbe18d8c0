"""Writes asterisk16_legs.csv and asterisk11_legs.csv: 30 queue calls as Asterisk's own CDR
writes them, one row per leg (see README.md in this folder for the shapes and the truth).

Run from the repository root: ``python tests/data/cdr/make_asterisk_legs.py``. The files are
committed; this script is how they were built, so the true figures are known by construction.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")
DAY = datetime(2024, 3, 4, 9, 0, 0, tzinfo=ZONE)
QUEUE = "400"
HERE = Path(__file__).parent


@dataclass
class Writer:
    rows: list[tuple[float, int, list[str | int]]] = field(default_factory=list)
    chan: int = 0x100
    seq: int = 0

    def channel(self, tech: str) -> str:
        self.chan += 1
        return f"{tech}-{self.chan:08x}"

    def row(  # noqa: PLR0913 - one Asterisk CDR row
        self,
        *,
        src: str,
        dst: str,
        ctx: str,
        channel: str,
        dstchannel: str,
        app: str,
        data: str,
        start: float,
        answer: float | None,
        end: float,
        disposition: str,
        uniqueid: str,
        linkedid: str,
        written: float,
    ) -> None:
        self.seq += 1
        billsec = int(end - answer) if answer is not None else 0
        cells: list[str | int] = [
            "",  # accountcode
            src,
            dst,
            ctx,
            f'"{src}" <{src}>',
            channel,
            dstchannel,
            app,
            data,
            _local(start),
            _local(answer) if answer is not None else "",
            _local(end),
            int(end - start),
            billsec,
            disposition,
            "DOCUMENTATION",
            uniqueid,
            "",  # userfield
            "",  # peeraccount
            linkedid,
            self.seq,
        ]
        self.rows.append((written, self.seq, cells))


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts, ZONE).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Call:
    """One caller's call: ``ivr`` seconds in the IVR (0: straight to the queue), then the
    queue; ``rings`` are (agent, ring start after queue entry, ring end, disposition) of the
    members that did not answer; ``agent`` answers after ``wait`` and talks ``talk`` seconds;
    ``transfer`` (agent, kind) hands the caller to another agent at the end of ``talk``."""

    at: float
    ivr: float
    wait: float
    agent: str = ""
    talk: float = 0.0
    rings: list[tuple[str, float, float, str]] = field(default_factory=list)
    transfer: tuple[str, str] | None = None
    after: float = 60.0  # talk with the transfer target


def write_call(w: Writer, n: int, call: Call) -> None:
    caller = f"0301555{n:04d}"
    chan = w.channel("PJSIP/trunk")
    uid = f"{int(call.at)}.{n}"
    entry = call.at + call.ivr
    common = {"src": caller, "uniqueid": uid, "linkedid": uid, "channel": chan}
    answered = entry + call.wait
    handed = answered + call.talk
    hangup = handed + (call.after if call.transfer else 0) if call.agent else answered
    if call.ivr:
        # The IVR leg: answered by the IVR, ends when the caller is sent to the queue.
        # Asterisk 12+ writes every record of a channel when it hangs up.
        w.row(**common, dst="s", ctx="ivr-1", dstchannel="", app="BackGround",
              data="custom/welcome", start=call.at, answer=call.at, end=entry,
              disposition="ANSWERED", written=hangup)  # fmt: skip
    queue = {"dst": QUEUE, "ctx": "ext-queues", "app": "Queue", "data": f"{QUEUE},t,,,300"}
    for agent, ring_from, ring_to, disposition in call.rings:
        # A member that rang and did not answer: a dial record of the caller, not answered.
        w.row(**common, **queue, dstchannel=w.channel(f"PJSIP/{agent}"),
              start=entry + ring_from, answer=None, end=entry + ring_to,
              disposition=disposition, written=hangup)  # fmt: skip
    if not call.agent:
        # Abandoned: Queue() answered the caller, so the record says ANSWERED.
        w.row(**common, **queue, dstchannel="", start=entry, answer=entry, end=hangup,
              disposition="ANSWERED", written=hangup)  # fmt: skip
        return
    agent_chan = w.channel(f"PJSIP/{call.agent}")
    first_end = handed if call.transfer else hangup
    # The leg that reached the agent: answer == start (the caller was answered by Queue()),
    # billsec counts the queue wait.
    w.row(**common, **queue, dstchannel=agent_chan, start=entry, answer=entry, end=first_end,
          disposition="ANSWERED", written=hangup)  # fmt: skip
    if call.transfer is None:
        return
    target, kind = call.transfer
    target_chan = w.channel(f"PJSIP/{target}")
    if kind == "blind":
        # The transferring agent's own channel (its uniqueid, the call's linkedid).
        w.row(src=call.agent, dst=target, ctx="from-internal", channel=agent_chan,
              dstchannel="", app="AppDial", data="(Outgoing Line)", start=answered,
              answer=answered, end=handed, disposition="ANSWERED",
              uniqueid=f"{int(answered)}.{n + 500}", linkedid=uid, written=hangup)  # fmt: skip
    else:
        # Attended: the agent's consultation call is a new call (own uniqueid and linkedid),
        # that rang the target's channel later bridged with the caller.
        consult = w.channel(f"PJSIP/{call.agent}")
        cid = f"{int(handed) - 20}.{n + 700}"
        w.row(src=call.agent, dst=target, ctx="from-internal", channel=consult,
              dstchannel=target_chan, app="Dial", data=f"PJSIP/{target},,Tt",
              start=handed - 20, answer=handed - 15, end=handed, disposition="ANSWERED",
              uniqueid=cid, linkedid=cid, written=handed)  # fmt: skip
    # The caller with the transfer target, until hang-up.
    w.row(**common, **queue, dstchannel=target_chan, start=handed, answer=handed, end=hangup,
          disposition="ANSWERED", written=hangup)  # fmt: skip


CALLS = [  # fmt: skip
    # 20 answered, completed by the agent who answered
    Call(0, 12, 8, "1001", 95, rings=[("1002", 3, 8, "NO ANSWER")]),
    Call(70, 15, 4, "1002", 180, rings=[("1001", 1, 4, "NO ANSWER"), ("1003", 1, 4, "BUSY")]),
    Call(160, 9, 25, "1003", 60, rings=[("1004", 2, 17, "NO ANSWER")]),
    Call(250, 14, 3, "1004", 240),
    Call(330, 0, 6, "1001", 75, rings=[("1005", 2, 6, "NO ANSWER")]),
    Call(
        400,
        11,
        40,
        "1005",
        130,
        rings=[("1002", 5, 20, "NO ANSWER"), ("1003", 22, 37, "NO ANSWER")],
    ),
    Call(520, 13, 2, "1002", 50, rings=[("1004", 0, 2, "NO ANSWER")]),
    Call(600, 16, 12, "1003", 210, rings=[("1001", 4, 12, "NO ANSWER")]),
    Call(700, 12, 9, "1004", 88),
    Call(790, 10, 18, "1001", 145, rings=[("1002", 1, 16, "NO ANSWER"), ("1005", 1, 3, "FAILED")]),
    Call(900, 0, 5, "1005", 66, rings=[("1004", 1, 5, "NO ANSWER")]),
    Call(980, 14, 33, "1002", 120, rings=[("1003", 2, 17, "NO ANSWER")]),
    Call(1100, 12, 7, "1003", 99, rings=[("1001", 3, 7, "NO ANSWER")]),
    Call(1190, 9, 4, "1004", 300),
    Call(1300, 15, 22, "1001", 72, rings=[("1005", 5, 20, "NO ANSWER")]),
    Call(1390, 11, 3, "1005", 140, rings=[("1002", 1, 3, "NO ANSWER")]),
    Call(1500, 13, 15, "1002", 55),
    Call(1580, 12, 11, "1003", 190, rings=[("1004", 2, 11, "NO ANSWER")]),
    Call(1700, 0, 2, "1004", 85),
    Call(1780, 10, 27, "1001", 160, rings=[("1003", 3, 18, "NO ANSWER")]),
    # 4 answered and transferred to another agent (3 blind, 1 attended)
    Call(1900, 12, 6, "1002", 90, rings=[("1001", 1, 6, "NO ANSWER")], transfer=("1005", "blind")),
    Call(2000, 14, 10, "1003", 45, transfer=("1004", "blind")),
    Call(
        2100, 11, 5, "1004", 70, rings=[("1005", 2, 5, "NO ANSWER")], transfer=("1001", "attended")
    ),
    Call(2220, 13, 14, "1005", 110, transfer=("1002", "blind")),
    # 5 abandoned after 5 s or more (two heard members ring without answer)
    Call(2360, 12, 48),
    Call(2450, 15, 95, rings=[("1001", 10, 25, "NO ANSWER"), ("1002", 30, 45, "NO ANSWER")]),
    Call(2600, 10, 20, rings=[("1003", 5, 20, "NO ANSWER")]),
    Call(2700, 0, 63),
    Call(2800, 14, 9),
    # 1 short abandon (under 5 s)
    Call(2900, 11, 3),
]
IVR_ONLY = [(3000, 25), (3100, 8)]  # callers who hung up in the IVR: no queue call


def build() -> Writer:
    w = Writer()
    start = DAY.timestamp()
    for n, call in enumerate(CALLS, start=1):
        call.at += start
        write_call(w, n, call)
    for k, (at, length) in enumerate(IVR_ONLY, start=len(CALLS) + 1):
        t, chan = start + at, w.channel("PJSIP/trunk")
        uid = f"{int(t)}.{k}"
        w.row(src=f"0301555{k:04d}", dst="s", ctx="ivr-1", channel=chan, dstchannel="",
              app="BackGround", data="custom/welcome", start=t, answer=t, end=t + length,
              disposition="ANSWERED", uniqueid=uid, linkedid=uid, written=t + length)  # fmt: skip
    # An agent's outbound call: not a queue call either.
    t = start + 3200
    out = w.channel("PJSIP/1003")
    w.row(src="1003", dst="00302069000", ctx="from-internal", channel=out,
          dstchannel=w.channel("PJSIP/trunk"), app="Dial", data="PJSIP/00302069000@trunk",
          start=t, answer=t + 6, end=t + 126, disposition="ANSWERED", uniqueid=f"{int(t)}.99",
          linkedid=f"{int(t)}.99", written=t + 126)  # fmt: skip
    return w


def main() -> None:
    rows = [cells for _, _, cells in sorted(build().rows, key=lambda r: (r[0], r[1]))]
    for name, width in (("asterisk16_legs.csv", 21), ("asterisk11_legs.csv", 18)):
        with (HERE / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
                r[:width] for r in rows
            )


if __name__ == "__main__":
    main()
