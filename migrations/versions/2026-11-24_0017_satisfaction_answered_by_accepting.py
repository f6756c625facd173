"""satisfaction answered by accepting: an asker who accepts an answer themselves has answered "Did
this solve your problem?"; their survey row is answered with the top rating and marked so, and
nobody asks them (moderation.satisfaction)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 14:26:27

Surveys still waiting about a thread whose standing solution the asker chose themselves are
answered the same way now, at the moment they were asked, and the notifications that asked are
marked read. A downgrade drops the marker only: those rows stay answered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.expression import Exists

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCEPTED_RATING = 5

survey = sa.table(
    "satisfaction_response",
    sa.column("thread_id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("rating", sa.Integer()),
    sa.column("asked_at", sa.DateTime()),
    sa.column("answered_at", sa.DateTime()),
    sa.column("answered_by_accepting", sa.Boolean()),
)
solution = sa.table(
    "solution", sa.column("thread_id", sa.Integer()), sa.column("accepted_by_id", sa.Integer())
)
thread = sa.table("thread", sa.column("id", sa.Integer()), sa.column("author_id", sa.Integer()))
notification = sa.table(
    "notification",
    sa.column("user_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("thread_id", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
    sa.column("read_at", sa.DateTime()),
)


def _chosen_by_asker(thread_id: sa.ColumnElement[int], user_id: sa.ColumnElement[int]) -> Exists:
    return (
        sa.select(solution.c.thread_id)
        .join(thread, thread.c.id == solution.c.thread_id)
        .where(
            solution.c.thread_id == thread_id,
            solution.c.accepted_by_id == user_id,
            thread.c.author_id == user_id,
        )
        .exists()
    )


def upgrade() -> None:
    op.add_column(
        "satisfaction_response",
        sa.Column("answered_by_accepting", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    waiting = sa.and_(
        survey.c.thread_id.is_not(None),
        survey.c.answered_at.is_(None),
        _chosen_by_asker(survey.c.thread_id, survey.c.user_id),
    )
    op.execute(
        notification.update()
        .where(
            notification.c.kind == "survey",
            notification.c.read_at.is_(None),
            sa.select(survey.c.thread_id)
            .where(
                waiting,
                survey.c.thread_id == notification.c.thread_id,
                survey.c.user_id == notification.c.user_id,
            )
            .exists(),
        )
        .values(read_at=notification.c.created_at)
    )
    op.execute(
        survey.update()
        .where(waiting)
        .values(rating=ACCEPTED_RATING, answered_at=survey.c.asked_at, answered_by_accepting=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("satisfaction_response", schema=None) as batch_op:
        batch_op.drop_column("answered_by_accepting")
