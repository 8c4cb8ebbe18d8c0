"""Which queue_log lines are post-call survey answers (CSAT), and what a valid score is.

A survey line is not an Asterisk event: a dialplan writes it with ``QueueLog()`` after the
call (``docs/csat-survey.md``). Floorboard's own convention is ``SURVEY|score`` (the score in
the first data field); a center whose dialplan or tool already writes another verb, or puts
the score in another field, maps it instead of rewriting its dialplan::

    FLOORBOARD_SURVEY_VERBS="SURVEY:1,CSAT:1,POSTCALLSURVEY:2"   # verb:data field
    FLOORBOARD_SURVEY_SCALE="1-5"                               # lowest-highest valid score

(or ``--survey VERB:FIELD`` / ``--survey-scale LOW-HIGH`` on ``floorboard collect queue-log``
and ``floorboard report``). A score outside the scale, or not a number, is a rejected line
that names the verb and the value: a typo in a dialplan must not become a CSAT figure.

Each reader puts the mapped verbs in its parser dispatch table (:func:`.parser.handler_table`),
so a survey line costs what any other line costs; only a bad one takes the slow path that says
what is wrong with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from collectors.queue_log.verbs import ASTERISK_EVENTS, VERB

MAX_FIELD = 5
"""Highest data field a score may be in (``QueueLog()`` lines have up to five data fields)."""


class SurveyConfigError(ValueError):
    """A survey mapping or scale that cannot be used; the message names the bad part."""


def _default_verbs() -> dict[str, int]:
    return {"SURVEY": 1}


@dataclass(frozen=True)
class SurveyMapping:
    """Survey verbs (verb → data field holding the score, 1 = the first after the verb) and
    the valid score range, both ends included."""

    verbs: Mapping[str, int] = field(default_factory=_default_verbs)
    low: float = 1.0
    high: float = 5.0

    def describe(self) -> str:
        """The mapping as the setting spells it, e.g. ``SURVEY:1,CSAT:1 (scale 1-5)``."""
        verbs = ",".join(f"{verb}:{index}" for verb, index in self.verbs.items())
        return f"{verbs} (scale {self.low:g}-{self.high:g})"


DEFAULT_SURVEY = SurveyMapping()


def parse_verbs(text: str, *, builtin: frozenset[str] = frozenset()) -> dict[str, int]:
    """``"SURVEY:1,CSAT:1,POSTCALLSURVEY:2"`` → ``{"SURVEY": 1, ...}`` (``:1`` may be left out).

    Raises:
        SurveyConfigError: naming the item that is not ``VERB[:FIELD]``, a verb that is not an
            event verb, or one that Asterisk itself writes (``builtin``).
    """
    verbs: dict[str, int] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        verb, _, index_text = item.partition(":")
        verb = verb.strip()
        if not VERB.fullmatch(verb):
            raise SurveyConfigError(
                f"survey verb {verb!r} is not an event verb "
                "(capital letters, digits and _, starting with a letter, at most 32)"
            )
        if verb in builtin:
            raise SurveyConfigError(f"survey verb {verb} is an Asterisk event, not a survey")
        try:
            index = int(index_text) if index_text.strip() else 1
        except ValueError:
            index = 0
        if not 1 <= index <= MAX_FIELD:
            raise SurveyConfigError(
                f"survey verb {verb}: the score field must be 1 to {MAX_FIELD}, "
                f"got {index_text.strip()!r}"
            )
        verbs[verb] = index
    if not verbs:
        raise SurveyConfigError("no survey verb given (e.g. SURVEY:1)")
    return verbs


def parse_scale(text: str) -> tuple[float, float]:
    """``"1-5"`` or ``"0-10"`` → ``(low, high)``.

    Raises:
        SurveyConfigError: when it is not two finite numbers with low < high.
    """
    low_text, sep, high_text = text.strip().partition("-")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        low = high = math.nan
    if not sep or not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise SurveyConfigError(
            f"survey scale {text!r} is not LOW-HIGH with LOW < HIGH (e.g. 1-5 or 0-10)"
        )
    return low, high


def survey_mapping(verbs: str | None, scale: str | None) -> SurveyMapping:
    """The mapping from the setting's (or option's) text; ``None`` keeps the default part.

    Raises:
        SurveyConfigError: naming what is wrong (an Asterisk event is never a survey verb).
    """
    mapped = parse_verbs(verbs, builtin=ASTERISK_EVENTS) if verbs else _default_verbs()
    low, high = parse_scale(scale) if scale else (DEFAULT_SURVEY.low, DEFAULT_SURVEY.high)
    return SurveyMapping(mapped, low, high)
