"""The database schema. Every change here needs an Alembic revision in migrations/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from coachbot.db.types import UTCDateTime

# Deterministic constraint names, so migrations can alter them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class Person(SQLModel, table=True):
    """Someone who used the bot, as plain ids: (platform, workspace, user)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(sa_type=UTCDateTime)
