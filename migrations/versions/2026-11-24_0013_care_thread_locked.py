"""care thread locked: a thread a moderator locked waits for no answer, so its care row leaves the
queue unless flags, hidden personal data, a post awaiting approval or abusive language keep it
there (moderation.care)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 13:22:14.314362

``care_thread`` can be large: the column is added in place with a server default (no table copy on
SQLite). The rows of threads locked already are marked stale (``facts_version`` null), so the
worker's care catch-up rebuilds them with the new rule, a batch at a time, as it does after 0009.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

care_thread = sa.table("care_thread", sa.column("thread_id"), sa.column("facts_version"))
thread = sa.table("thread", sa.column("id"), sa.column("is_locked", sa.Boolean()))


def _rebuild_locked_rows() -> None:
    locked = sa.select(thread.c.id).where(thread.c.is_locked.is_(True))
    op.execute(
        care_thread.update()
        .where(care_thread.c.thread_id.in_(locked))
        .values(facts_version=None)
    )


def upgrade() -> None:
    op.add_column(
        "care_thread",
        sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _rebuild_locked_rows()


def downgrade() -> None:
    with op.batch_alter_table("care_thread", schema=None) as batch_op:
        batch_op.drop_column("locked")
    _rebuild_locked_rows()  # back in the queue for their old reasons
