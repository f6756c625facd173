"""case changes: each change of a case's status, priority or assignee, for the case's timeline
(status changes for the customer too, the rest for the brand only)

Changes made before this revision are not rebuilt: their case timelines start here (the audit log
still holds the brand's changes).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 13:37:43
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("after_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_case_change_actor_id_user")),
        sa.ForeignKeyConstraint(
            ["after_message_id"],
            ["case_message.id"],
            name=op.f("fk_case_change_after_message_id_case_message"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_case_change_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_case.id"], name=op.f("fk_case_change_case_id_support_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_change")),
    )
    with op.batch_alter_table("case_change", schema=None) as batch_op:
        batch_op.create_index("ix_case_change_case", ["case_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_change", schema=None) as batch_op:
        batch_op.drop_index("ix_case_change_case")

    op.drop_table("case_change")
