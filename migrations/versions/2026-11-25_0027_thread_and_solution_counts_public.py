"""user thread and solution counts count what the profile's lists can show: not a thread hidden,
held for review or deleted, nor a solution hidden or in such a thread

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-25 02:10:00

Data only: every member's ``thread_count`` and ``solution_count`` are recounted from the posts
(community.profile_counts). A downgrade recounts them as the earlier code kept them: every thread
of theirs neither deleted nor merged away, hidden or not, and every accepted solution of theirs
in someone else's thread, whatever became of the reply or the thread.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHOWN = """p.deleted_at IS NULL AND p.hidden_at IS NULL
    AND t.deleted_at IS NULL AND t.hidden_at IS NULL"""
_SOLUTIONS = """
    FROM solution s JOIN post p ON p.id = s.post_id JOIN thread t ON t.id = s.thread_id
    WHERE p.author_id = "user".id AND t.author_id != p.author_id
"""


def upgrade() -> None:
    op.execute(
        f"""UPDATE "user" SET
            thread_count = (
                SELECT COUNT(*) FROM post p JOIN thread t ON t.id = p.thread_id
                WHERE p.author_id = "user".id AND p.post_number = 1 AND {_SHOWN}
            ),
            solution_count = (SELECT COUNT(*) {_SOLUTIONS} AND p.post_number > 1 AND {_SHOWN})"""
    )


def downgrade() -> None:
    op.execute(
        f"""UPDATE "user" SET
            thread_count = (
                SELECT COUNT(*) FROM thread t
                WHERE t.author_id = "user".id AND t.deleted_at IS NULL
                  AND t.merged_into_id IS NULL
            ),
            solution_count = (SELECT COUNT(*) {_SOLUTIONS})"""
    )
