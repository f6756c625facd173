"""suggestion events: impressions, clicks and questions posted anyway, per asking session

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:30:25.831451
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("shown", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_suggestion_event_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_event")),
    )
    with op.batch_alter_table("suggestion_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_event_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_suggestion_event_token"), ["token"], unique=False)
        batch_op.create_index(batch_op.f("ix_suggestion_event_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("suggestion_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_suggestion_event_token"))
        batch_op.drop_index(batch_op.f("ix_suggestion_event_created_at"))

    op.drop_table("suggestion_event")
