"""How long each free-text field and each upload may be: one table for the whole product.

The services refuse longer input with a message naming the field and its limit, before
anything is stored; the forms show the same limit (``maxLength`` and an "n / max" counter,
:func:`dashboard.forms.limited`). A browser-only limit is no limit: a crafted request
skips it, and a 300 KB reason once rendered 14,000 px tall.

Limits are in characters (Python ``len``), uploads in bytes. They are generous for what people
write in each field and far below what would hurt a page or a report.
"""

from __future__ import annotations

from enum import StrEnum


class Field(StrEnum):
    """A free-text field; its value names it in messages."""

    DISPUTE_REASON = "dispute reason"
    DECISION_NOTE = "decision note"
    COMMENT = "comment"
    ITEM_COMMENT = "item comment"
    CALIBRATION_TITLE = "calibration title"
    LEDGER_NOTE = "note"
    CORRECTION_REASON = "correction reason"
    AWARDS_REASON = "reason"
    ANNOUNCEMENT = "announcement"
    SCREEN_NAME = "screen name"
    DISPLAY_NAME = "display name"
    SAMPLE_NAME = "sample name"


#: Characters per field.
MAX_LENGTH: dict[Field, int] = {
    Field.DISPUTE_REASON: 2000,
    Field.DECISION_NOTE: 2000,
    Field.COMMENT: 2000,
    Field.ITEM_COMMENT: 500,
    Field.CALIBRATION_TITLE: 200,
    Field.LEDGER_NOTE: 1000,
    Field.CORRECTION_REASON: 1000,
    Field.AWARDS_REASON: 1000,
    Field.ANNOUNCEMENT: 500,
    Field.SCREEN_NAME: 128,  # the display-token name rule (dashboard.auth.schemas)
    Field.DISPLAY_NAME: 128,
    Field.SAMPLE_NAME: 128,
}
#: Bytes of an uploaded scorecard file (YAML or JSON); real ones are a few KB.
MAX_SCORECARD_BYTES = 512 * 1024


class TooLong(ValueError):
    """A text longer than its field allows; the message names the field and the limit."""


def too_long(exc: BaseException) -> tuple[Field, int, int] | None:
    """(field, length, limit) when ``exc`` was raised by :func:`check_length`, else ``None``
    (pages use it to say the same in the reader's language)."""
    found = getattr(exc, "too_long", None)
    return found if isinstance(found, tuple) else None


def max_length(field: Field) -> int:
    """The limit of ``field`` in characters."""
    return MAX_LENGTH[field]


def check_length(
    text: str, field: Field, *, error: type[ValueError] = TooLong, where: str = ""
) -> str:
    """``text`` if it fits ``field``; else raise ``error`` (the caller's domain error).

    Args:
        text: The value as it would be stored.
        field: Which field.
        error: The exception to raise (each service raises its own, which its pages show).
        where: Where the field is (e.g. ``item g1.b``), added to the message.
    """
    limit = MAX_LENGTH[field]
    if len(text) > limit:
        place = f" ({where})" if where else ""
        exc = error(
            f"the {field.value}{place} is {len(text):,} characters long; "
            f"at most {limit:,} are allowed"
        )
        exc.too_long = (field, len(text), limit)  # type: ignore[attr-defined]
        raise exc
    return text
