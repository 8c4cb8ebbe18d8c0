"""Which team each agent is in, for the team filters of the agent grid and the live view.

The snapshot names agents by their telephony code (``Agent.agent_id`` in ``qa.people``); teams
live in SQL. :class:`TeamDirectory` keeps the whole agent → team table in memory: a page layout
loads it if it was never loaded (:meth:`TeamDirectory.ensure`), and a refresh only reads the
table in memory. When the table is older than ``ttl_s`` a background thread reloads it, so no
refresh ever waits on SQL.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.ttl_cache import Reloading
from qa.people.service import list_agents

log = logging.getLogger(__name__)

NO_TEAM = ""


class TeamDirectory:
    """Agent code → team name, from ``qa.people``.

    Args:
        sessions: session factory.
        ttl_s: age after which the table is reloaded (in the background).
        clock: monotonic clock.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self._table: Reloading[dict[str, str]] = Reloading(
            self._read, initial={}, ttl_s=ttl_s, clock=clock, keep_on=(SQLAlchemyError,),
            # Keep the last table: a database hiccup must not empty the filters.
            on_error=lambda: log.exception(
                "teams: reload failed; keeping %d agents", len(self._table.value)
            ),
        )  # fmt: skip

    def ensure(self) -> None:
        """Load the table now unless it was ever loaded (the first use in a process)."""
        if not self._table.loads:  # else waits for the first load another thread is doing
            self._table.refresh(wait=True, max_age_s=math.inf)

    def mapping(self) -> Mapping[str, str]:
        """The table as it is in memory; an old one is reloaded in the background.

        Only the first use in a process reads SQL in the caller's thread (page layouts call
        :meth:`ensure` for that); after it, no caller ever waits on the database.
        """
        self.ensure()
        return self._table.get_in_background()

    def names(self) -> list[str]:
        """Every team that has agents, sorted."""
        return sorted({team for team in self.mapping().values() if team})

    def invalidate(self) -> None:
        """Reload at the next :meth:`mapping` (in the background: e.g. after an import)."""
        self._table.invalidate()

    def _read(self) -> dict[str, str]:
        with session_scope(self.sessions) as db_session:
            return {a.agent_id: a.team_name for a in list_agents(db_session=db_session)}


_Row = TypeVar("_Row", bound=Mapping[str, Any])  # a snapshot's agent row


def team_filter(
    agents: Sequence[_Row], teams: Sequence[str], table: Mapping[str, str]
) -> list[_Row]:
    """The agents of ``teams`` (all of them when ``teams`` is empty)."""
    if not teams:
        return list(agents)
    wanted = set(teams)
    return [a for a in agents if table.get(str(a.get("agent", "")), NO_TEAM) in wanted]
