"""How guessable a password or a secret is, estimated by zxcvbn (Dropbox's estimator).

zxcvbn finds the words, names, keyboard patterns, sequences, repeats and dates a password is
made of and estimates the guesses an attacker needs. Two facts about the package shape this
module: it keeps the user inputs of a call in a module-level dictionary (so calls are made one
at a time, under a lock), and its cost grows quickly with length (so only the first
``ESTIMATE_CHARS`` characters are estimated: a longer password is judged by its start).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zxcvbn import zxcvbn

#: zxcvbn's own default limit; 72 characters take ~0.1 s, 256 take ~2 s.
ESTIMATE_CHARS = 72
#: Words of our users that zxcvbn's English lists lack: the product, the trade, and common
#: Chinese (pinyin, numeric) passwords. Passed to every estimate as user inputs.
LOCAL_WORDS = (
    "floorboard", "wallboard", "callcenter", "callcentre", "contactcenter", "supervisor",
    "woaini", "woaini1314", "wodemima", "mima", "zhongguo", "beijing", "shanghai",
    "5201314", "1314520", "1314",
)  # fmt: skip

_lock = threading.Lock()


@dataclass(frozen=True)
class Estimate:
    """What zxcvbn found: ``guesses_log10`` and its English ``warning`` and ``suggestions``."""

    guesses_log10: float
    warning: str
    suggestions: tuple[str, ...]
    sequence: tuple[dict[str, Any], ...]


def estimate(text: str, *, user_inputs: Iterable[str] = ()) -> Estimate:
    """zxcvbn's estimate for the first ``ESTIMATE_CHARS`` characters of ``text``.

    Args:
        text: the password or secret.
        user_inputs: words an attacker would try first (username, display name...), next to
            ``LOCAL_WORDS``.
    """
    inputs = [w for w in (*user_inputs, *LOCAL_WORDS) if w and w.strip()]
    with _lock:
        result = zxcvbn(text[:ESTIMATE_CHARS] or " ", user_inputs=inputs)
    feedback = result.get("feedback") or {}
    return Estimate(
        guesses_log10=float(result["guesses_log10"]),
        warning=str(feedback.get("warning") or ""),
        suggestions=tuple(str(s) for s in feedback.get("suggestions") or ()),
        sequence=tuple(result["sequence"]),
    )


def secret_bits(secret: str) -> float:
    """Estimated entropy of a secret key, in bits.

    zxcvbn's patterns (words, repeats, sequences, keyboard rows...) count what zxcvbn says
    they are worth; the random-looking rest counts ``log2(distinct characters)`` per
    character (zxcvbn itself counts 10 guesses per character, too little for a random key).
    Few distinct characters ("aaaa...", "abab...") or a pattern bring the estimate down.
    """
    head = secret[:ESTIMATE_CHARS]
    if not head:
        return 0.0
    per_char = math.log2(len(set(head))) if len(set(head)) > 1 else 0.0
    bits = 0.0
    for match in estimate(head, user_inputs=()).sequence:
        if match["pattern"] == "bruteforce":
            bits += len(match["token"]) * per_char
        else:
            bits += math.log2(max(float(match["guesses"]), 1.0))
    return bits
