"""A large, realistic queue_log for benchmarks: many queues, agents, every common event."""

from __future__ import annotations

import random
from pathlib import Path

QUEUES = ("sales", "support", "billing", "vip", "tech", "claims", "retention", "general")


def write_queue_log(path: Path, *, lines: int, seed: int = 7, agents: int = 400) -> int:
    """Write about ``lines`` lines; returns the exact count. Calls overlap like a busy center."""
    rng = random.Random(seed)
    ts = 1_767_254_400.0  # 2026-01-01 08:00 UTC
    out: list[str] = []
    free = [f"PJSIP/{1000 + i}" for i in range(agents)]
    busy: list[tuple[float, str]] = []
    n = 0
    call = 0
    with path.open("w", encoding="utf-8") as fh:
        while n < lines:
            ts += rng.expovariate(1 / 0.4)
            busy.sort()
            while busy and busy[0][0] <= ts:
                free.append(busy.pop(0)[1])
            call += 1
            cid = f"{int(ts)}.{call}"
            queue = rng.choice(QUEUES)
            out.append(f"{ts:.0f}|{cid}|{queue}|NONE|ENTERQUEUE||138{rng.randrange(10**8):08d}|1")
            roll = rng.random()
            wait = rng.expovariate(1 / 18)
            if roll < 0.08 or not free:
                out.append(f"{ts + wait:.0f}|{cid}|{queue}|NONE|ABANDON|1|1|{wait:.0f}")
            elif roll < 0.10:
                out.append(f"{ts + wait:.0f}|{cid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait:.0f}")
            else:
                agent = free.pop(rng.randrange(len(free)))
                talk = rng.lognormvariate(5.2, 0.6)
                if rng.random() < 0.1:
                    out.append(f"{ts + wait - 2:.0f}|{cid}|{queue}|{agent}|RINGNOANSWER|15000")
                out.append(f"{ts + wait:.0f}|{cid}|{queue}|{agent}|CONNECT|{wait:.0f}|{cid}.1|3")
                end = "COMPLETEAGENT" if rng.random() < 0.4 else "COMPLETECALLER"
                out.append(
                    f"{ts + wait + talk:.0f}|{cid}|{queue}|{agent}|{end}|{wait:.0f}|{talk:.0f}|1"
                )
                busy.append((ts + wait + talk, agent))
                if rng.random() < 0.05:
                    out.append(f"{ts + wait + talk + 1:.0f}|NONE|{queue}|{agent}|PAUSE|break")
                    out.append(f"{ts + wait + talk + 300:.0f}|NONE|{queue}|{agent}|UNPAUSE|")
            if len(out) >= 10_000:
                fh.write("\n".join(out) + "\n")
                n += len(out)
                out = []
        if out:
            fh.write("\n".join(out) + "\n")
            n += len(out)
    return n
