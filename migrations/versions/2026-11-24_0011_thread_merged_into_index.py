"""thread merged into index: the askers of the questions merged into a thread, read when its first
response is recomputed (community.first_response)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 08:08:33.105359
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = sa.text("merged_into_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.create_index(
            "ix_thread_merged_into",
            ["merged_into_id"],
            unique=False,
            sqlite_where=MERGED,
            postgresql_where=MERGED,
        )


def downgrade() -> None:
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_merged_into", sqlite_where=MERGED, postgresql_where=MERGED)
