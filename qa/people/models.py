"""Agents and teams. ``Agent.agent_id`` is the code the telephony system uses (``calls.agent``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base

EMPLOYMENT_VALUES = ("regular", "probation")


class Team(Base):
    """A group of agents under the same supervisors."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    agents: Mapped[list[Agent]] = relationship(back_populates="team")


class Agent(Base):
    """A customer-service representative. ``employment`` is ``regular`` (post-probation, 转正)
    or ``probation``; only regular agents take part in the star awards."""

    __tablename__ = "agents"
    __table_args__ = (CheckConstraint("employment IN ('regular', 'probation')", name="employment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    employment: Mapped[str] = mapped_column(String(16), default="regular")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    team: Mapped[Team | None] = relationship(back_populates="agents", lazy="joined")

    @property
    def team_name(self) -> str:
        """The team's name, or an empty string for an agent in no team."""
        return self.team.name if self.team is not None else ""
