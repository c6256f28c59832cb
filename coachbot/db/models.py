"""The database schema. Every change here needs an Alembic revision in migrations/."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, MetaData, UniqueConstraint, text
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
# Delivery rows a process holds or may take over (coachbot.scheduling.states.LIVE).
LIVE_STATUSES = "status IN ('claimed', 'sending', 'retry')"


class Person(SQLModel, table=True):
    """Someone who used the bot, as plain ids: (platform, workspace, user)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=2)
    timezone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Workspace(SQLModel, table=True):
    """A community's defaults, set by its admins (language, timezone, tip channel)."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "workspace"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=2)
    timezone: str | None = Field(default=None, max_length=64)
    tip_channel: str | None = Field(default=None, max_length=64)


class Rating(SQLModel, table=True):
    """A self-rating (0-5) of one skill at one moment; history is never overwritten."""

    __tablename__ = "rating"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    skill_id: str = Field(max_length=40)
    level: int
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Evidence(SQLModel, table=True):
    """A log entry: something the learner did that shows a skill."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    skill_id: str = Field(max_length=40)
    note: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Goal(SQLModel, table=True):
    """A focus skill and its target level; the newest active goal is the focus."""

    __tablename__ = "goal"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    skill_id: str = Field(max_length=40)
    target_level: int
    set_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    active: bool = True


class Activity(SQLModel, table=True):
    """A local day on which the learner did something that counts for the streak."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("person_id", "kind", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # "log" or "prompt_done"
    local_date: date
    created_at: datetime = Field(sa_type=UTCDateTime)


class Milestone(SQLModel, table=True):
    """A milestone reached once (first rating, 7-day streak...)."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("person_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)
    reached_at: datetime = Field(sa_type=UTCDateTime)


class MentorLink(SQLModel, table=True):
    """A mentoring relation; it is active only with the learner's consent."""

    __tablename__ = "mentor_link"
    __table_args__ = (UniqueConstraint("mentor_id", "learner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    learner_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    status: str = Field(max_length=16)  # pending, active, declined, ended
    alerts: bool = False
    alert_inactive_days: int = 7
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MentorNote(SQLModel, table=True):
    """Feedback from a mentor to a learner."""

    __tablename__ = "mentor_note"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    learner_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    in_report: bool = False


class Subscription(SQLModel, table=True):
    """A learner's daily prompt: when, where, in which language."""

    __tablename__ = "subscription"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    local_time: str = Field(max_length=5)  # HH:MM
    timezone: str = Field(max_length=64)
    days: int  # bit 0 = Monday ... bit 6 = Sunday
    where: str = Field(max_length=8)  # dm or channel
    channel_id: str | None = Field(default=None, max_length=64)
    language: str = Field(max_length=2)
    skip_holidays: str | None = Field(default=None, max_length=8)
    recap_weekday: int = 4  # Friday
    paused_until: date | None = None
    active: bool = True
    failing: bool = False
    failing_notified: bool = False
    consecutive_failures: int = 0
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One prompt for one local day: the unique row that makes delivery exactly-once."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "local_date"),
        # the rows a process holds or may take over, by lease end: the tick's second probe
        Index(
            "ix_delivery_lease",
            "claimed_until",
            postgresql_where=text(LIVE_STATUSES),
            sqlite_where=text(LIVE_STATUSES),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: the unique (subscription_id, local_date) constraint leads with it
    subscription_id: int = Field(foreign_key="subscription.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    local_date: date
    tip_id: str = Field(max_length=40)
    status: str = Field(max_length=12)  # see coachbot.scheduling.states
    nonce: str = Field(max_length=32)
    attempts: int = 0
    due_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # database clock
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=64)
    feedback: str | None = Field(default=None, max_length=12)  # done, skip, too_easy, too_hard
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    error: str | None = Field(default=None, max_length=200)


class MentorAlert(SQLModel, table=True):
    """An alert sent to a mentor, recorded so each one goes out once per period."""

    __tablename__ = "mentor_alert"
    __table_args__ = (UniqueConstraint("link_id", "kind", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="mentor_link.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=24)  # streak_broken, no_evidence, rating_down
    period: str = Field(max_length=16)  # e.g. the local date or ISO week it is about
    sent_at: datetime = Field(sa_type=UTCDateTime)


class WeeklyMessage(SQLModel, table=True):
    """A weekly recap (learner) or digest (mentor), unique per person, kind and ISO week."""

    __tablename__ = "weekly_message"
    __table_args__ = (UniqueConstraint("person_id", "kind", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=8)  # recap or digest
    week: str = Field(max_length=8)  # 2026-W09
    status: str = Field(max_length=12)  # claimed, sent, failed
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UploadedFile(SQLModel, table=True):
    """A picture already uploaded for a person (their radar chart in their Slack DM), by the
    SHA-256 of its bytes: the same picture is shown again by its file id, never re-sent."""

    __tablename__ = "uploaded_file"
    __table_args__ = (UniqueConstraint("person_id", "digest"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    digest: str = Field(max_length=64)  # hex SHA-256 of the uploaded bytes
    file_id: str = Field(max_length=64)  # the platform's id of the uploaded file
    created_at: datetime = Field(sa_type=UTCDateTime)


class DmChannel(SQLModel, table=True):
    """The direct-message channel a platform opened with one of its users, kept so a
    restart does not open it again (Discord refuses bursts of openings: error 40003)."""

    __tablename__ = "dm_channel"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # The person it was opened for: export and forget find the row through it.
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)  # a platform user id, the same in every workspace
    channel_id: str = Field(max_length=64)
    opened_at: datetime = Field(sa_type=UTCDateTime)


class CommandSync(SQLModel, table=True):
    """The hash of the command payload last uploaded to one target (``global`` or a
    server id), so ``coachbot run`` uploads again only when the commands changed."""

    __tablename__ = "command_sync"
    __table_args__ = (UniqueConstraint("platform", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=32)  # "global" or a server id
    payload_hash: str = Field(max_length=64)  # SHA-256 of the canonical JSON payload
    synced_at: datetime = Field(sa_type=UTCDateTime)
