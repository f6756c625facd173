"""satisfaction survey: "Did this solve your problem?" for solved threads and resolved cases

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 01:53:26.706799

A new table only; one survey per asker and thread, and per asker and case.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("asked_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(thread_id IS NULL) <> (case_id IS NULL)",
            name=op.f("ck_satisfaction_response_one_subject"),
        ),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5",
            name=op.f("ck_satisfaction_response_rating_range"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_case.id"],
            name=op.f("fk_satisfaction_response_case_id_support_case"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_satisfaction_response_thread_id_thread")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_satisfaction_response_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_response")),
        sa.UniqueConstraint(
            "case_id", "user_id", name=op.f("uq_satisfaction_response_case_id_user_id")
        ),
        sa.UniqueConstraint(
            "thread_id", "user_id", name=op.f("uq_satisfaction_response_thread_id_user_id")
        ),
    )
    with op.batch_alter_table("satisfaction_response", schema=None) as batch_op:
        batch_op.create_index("ix_satisfaction_response_answered", ["answered_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_satisfaction_response_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("satisfaction_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_satisfaction_response_user_id"))
        batch_op.drop_index("ix_satisfaction_response_answered")
    op.drop_table("satisfaction_response")
