"""Reading what a board renders, for tests: the strings of a component tree, and waiting on a
browser page. Shared by the board tests so that each one reads the screen the same way."""

from __future__ import annotations

import time
from typing import Any

from selenium.webdriver.common.by import By


def rendered_texts(node: Any) -> list[str]:
    """Every string in a rendered tree (components or the grid's plain JSON), titles included,
    in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [t for child in node for t in rendered_texts(child)]
    if hasattr(node, "to_plotly_json"):
        props = node.to_plotly_json()["props"]
    elif isinstance(node, dict):
        props = node.get("props") or {}
    else:
        return []
    out = [props["title"]] if isinstance(props.get("title"), str) and props["title"] else []
    return out + rendered_texts(props.get("children") or [])


def wait_for(condition: Any, what: str, timeout: float = 20.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def tile_text(driver: Any, label: str) -> str:
    """The whole text of the board tile whose text starts with ``label`` ("" when none)."""
    for tile in driver.find_elements(By.CSS_SELECTOR, ".tile"):
        text = str(tile.text)
        if text.startswith(label):
            return text
    return ""
