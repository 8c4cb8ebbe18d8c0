"""The message catalogues (English, Simplified Chinese), one module per area of the product.

Each area module holds an ``EN`` and a ``ZH`` dict with the same keys; here they are merged,
areas in the order below, into the two catalogues :mod:`dashboard.i18n` reads. A key belongs to
exactly one area (a test checks it): new text goes in the module of the screen that shows it.
"""

from __future__ import annotations

from types import ModuleType

from dashboard.i18n_catalogue import (
    board,
    hr,
    live,
    metrics,
    passwords,
    qa_admin,
    qa_evaluation,
    qa_work,
    shell,
)

#: The area modules, in catalogue order.
AREAS: tuple[ModuleType, ...] = (
    metrics,
    board,
    shell,
    live,
    hr,
    qa_evaluation,
    qa_work,
    qa_admin,
    passwords,
)

EN: dict[str, str] = {key: text for area in AREAS for key, text in area.EN.items()}
ZH: dict[str, str] = {key: text for area in AREAS for key, text in area.ZH.items()}

__all__ = ["AREAS", "EN", "ZH"]
