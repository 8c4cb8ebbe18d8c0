"""Typed inputs and outputs of the people service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PeopleError(ValueError):
    """An agent's values do not fit (the message names the field)."""


class Employment(StrEnum):
    """Employment status: only ``regular`` agents take part in the star awards."""

    REGULAR = "regular"
    PROBATION = "probation"


@dataclass(frozen=True)
class AgentIn:
    """An agent as given by HR (one row of ``agents import``). ``team`` empty means no team."""

    agent_id: str
    name: str
    team: str = ""
    employment: Employment = Employment.REGULAR
    active: bool = True


@dataclass(frozen=True)
class AgentOut:
    """An agent as shown to people and tools (``agents list --json``)."""

    agent_id: str
    name: str
    team: str
    employment: str
    active: bool


@dataclass(frozen=True)
class AgentImportReport:
    """What an import did: agent ids created, updated, and seen unchanged."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
