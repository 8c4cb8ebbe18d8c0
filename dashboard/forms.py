"""Free-text controls that show their limit: the browser stops typing at ``maxLength`` and an
"n / max" counter under the field follows what is typed (``assets/limits.js``). The limits come
from :mod:`qa.limits`, the table the services enforce, so form and server always agree."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.i18n import t
from qa.limits import Field, max_length, too_long


def limited(control: Any, field: Field, loc: str, *, counter: bool = True) -> Any:
    """``control`` (a ``dcc.Textarea`` or ``dcc.Input``) limited to ``field``'s length.

    Args:
        control: The text control; its ``maxLength`` is set here.
        field: Which field (its limit is in :data:`qa.limits.MAX_LENGTH`).
        loc: The reader's language (the counter's tooltip).
        counter: Add the "n / max" counter below (inline inputs get only the tooltip).
    """
    limit = max_length(field)
    hint = t("form.max_chars", loc, max=f"{limit:,}")
    control.maxLength = limit
    control.title = hint
    if not counter:
        return control
    typed = len(getattr(control, "value", None) or "")
    count = html.Small(f"{typed} / {limit}", className="fb-count", title=hint)
    return html.Div([control, count], className="fb-limited")


def too_long_text(exc: BaseException, loc: str) -> str | None:
    """The reader's-language message for a text over its limit (``None``: another error)."""
    found = too_long(exc)
    if found is None:
        return None
    field, length, limit = found
    name = t(f"form.field.{field.name.lower()}", loc)
    return t("form.too_long", loc, field=name, length=f"{length:,}", max=f"{limit:,}")
