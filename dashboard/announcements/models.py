"""The announcements table. Times are UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Announcement(Base):
    """A notice shown on the ticker of ``boards`` (JSON list; empty = every board) from
    ``starts_at`` until ``ends_at`` (open-ended when ``None``) unless cancelled."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_window", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(16), default="info")
    boards: Mapped[str] = mapped_column(Text, default="[]")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
