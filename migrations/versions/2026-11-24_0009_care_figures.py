"""care figures: per-thread facts on care_thread, a duration index, daily sentiment tallies and
support_case.resolved_at

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 03:00:34.566104

The care rows' new columns start empty (``facts_version`` null): the worker's care catch-up
fills them, a batch at a time, as it does for threads that have no row. Plain ``ADD COLUMN``s,
so SQLite does not copy the table. Cases already resolved or closed take their last change as
the moment they were resolved, the best that is known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIGURES = (
    "week",
    "category_id",
    "language",
    "created_at",
    "counted",
    "needs_brand",
    "first_reply_s",
    "first_peer_reply_s",
    "first_brand_reply_s",
    "solution_s",
    "solved_by_brand",
    "solver_id",
    "escalations",
)
_CARE_COLUMNS = (
    "facts_version",
    "week",
    "first_reply_s",
    "first_peer_reply_s",
    "first_brand_reply_s",
    "solution_s",
    "solver_id",
    "solved_by_brand",
    "escalations",
)


def upgrade() -> None:
    op.create_table(
        "sentiment_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "category_id", "language", name=op.f("pk_sentiment_day")),
    )
    op.create_table(
        "care_duration",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_care_duration_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("thread_id", "metric", name=op.f("pk_care_duration")),
    )
    op.create_index(
        "ix_care_duration_category_value",
        "care_duration",
        ["metric", "category_id", "seconds", "created_at", "language"],
    )
    op.create_index(
        "ix_care_duration_value", "care_duration", ["metric", "seconds", "created_at", "language"]
    )
    op.create_index(
        "ix_care_duration_language_value",
        "care_duration",
        ["metric", "language", "seconds", "created_at"],
    )
    op.create_table(
        "sentiment_count",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_sentiment_count_post_id_post")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_sentiment_count_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_sentiment_count")),
    )
    op.create_index(op.f("ix_sentiment_count_thread_id"), "sentiment_count", ["thread_id"])

    op.add_column("care_thread", sa.Column("facts_version", sa.Integer(), nullable=True))
    op.add_column(
        "care_thread",
        sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("care_thread", sa.Column("week", sa.Date(), nullable=True))
    for name in ("first_reply_s", "first_peer_reply_s", "first_brand_reply_s", "solution_s"):
        op.add_column("care_thread", sa.Column(name, sa.Integer(), nullable=True))
    op.add_column("care_thread", sa.Column("solver_id", sa.Integer(), nullable=True))
    op.add_column("care_thread", sa.Column("solved_by_brand", sa.Boolean(), nullable=True))
    op.add_column(
        "care_thread", sa.Column("escalations", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_index(op.f("ix_care_thread_facts_version"), "care_thread", ["facts_version"])
    op.create_index("ix_care_thread_figures", "care_thread", list(_FIGURES))

    op.add_column(
        "support_case",
        sa.Column("resolved_at", community.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE support_case SET resolved_at = updated_at WHERE status IN ('resolved', 'closed')"
    )


def downgrade() -> None:
    op.drop_column("support_case", "resolved_at")
    op.drop_index("ix_care_thread_figures", table_name="care_thread")
    op.drop_index(op.f("ix_care_thread_facts_version"), table_name="care_thread")
    with op.batch_alter_table("care_thread", schema=None) as batch_op:
        for name in ("counted", *_CARE_COLUMNS):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_sentiment_count_thread_id"), table_name="sentiment_count")
    op.drop_table("sentiment_count")
    op.drop_index("ix_care_duration_language_value", table_name="care_duration")
    op.drop_index("ix_care_duration_value", table_name="care_duration")
    op.drop_index("ix_care_duration_category_value", table_name="care_duration")
    op.drop_table("care_duration")
    op.drop_table("sentiment_day")
