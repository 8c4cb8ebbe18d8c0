"""Reading what a browser page shows (selenium), the way a person reads it."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By


def text_of(driver: Any, css: str) -> str:
    """The text of every element matching ``css``, joined by spaces ("" when none).

    A board replaces its tiles every second: an element found may be gone when read, so the
    read is tried again a few times, and "" is what a page still re-rendering shows.
    """
    for _ in range(5):
        try:
            return " ".join(str(e.text) for e in driver.find_elements(By.CSS_SELECTOR, css))
        except StaleElementReferenceException:
            continue
    return ""


def tile_text(driver: Any, label: str) -> str:
    """The whole text of the board tile whose text starts with ``label`` ("" when none)."""
    for tile in driver.find_elements(By.CSS_SELECTOR, ".tile"):
        text = str(tile.text)
        if text.startswith(label):
            return text
    return ""
