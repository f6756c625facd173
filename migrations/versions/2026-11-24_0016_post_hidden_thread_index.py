"""index on a thread's hidden posts: reply counts leave out the replies held for review without
reading every post of the threads listed

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIDDEN = sa.text("hidden_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_post_hidden_thread",
        "post",
        ["thread_id"],
        unique=False,
        sqlite_where=HIDDEN,
        postgresql_where=HIDDEN,
    )


def downgrade() -> None:
    op.drop_index("ix_post_hidden_thread", table_name="post")
