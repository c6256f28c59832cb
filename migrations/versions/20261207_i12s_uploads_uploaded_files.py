"""uploaded files: pictures already uploaded per person, by content hash

Revision ID: i12s_uploads
Revises: 0003deliveryidx
Create Date: 2026-12-07 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import coachbot.db.types

revision: str = "i12s_uploads"
down_revision: str | None = "0003deliveryidx"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uploaded_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", coachbot.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_uploaded_file_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploaded_file")),
        sa.UniqueConstraint("person_id", "digest", name=op.f("uq_uploaded_file_person_id")),
    )
    with op.batch_alter_table("uploaded_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_uploaded_file_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("uploaded_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploaded_file_person_id"))
    op.drop_table("uploaded_file")
