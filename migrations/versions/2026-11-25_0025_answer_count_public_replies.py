"""user answer counts count public replies only: the replies the profile's list of answers can
show, not those hidden, held for review, or in a hidden or deleted thread

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-25 01:20:00

Data only: every member's ``answer_count`` is recounted from the posts (community.profile_counts). A
downgrade recounts it as the earlier code kept it: every reply not deleted in someone else's
thread, hidden or not, whatever became of the thread.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPLIES = """
    FROM post p JOIN thread t ON t.id = p.thread_id
    WHERE p.author_id = "user".id AND p.post_number > 1 AND p.deleted_at IS NULL
      AND t.author_id != p.author_id
"""


def upgrade() -> None:
    op.execute(
        f"""UPDATE "user" SET answer_count = (SELECT COUNT(*) {_REPLIES}
            AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL)"""
    )


def downgrade() -> None:
    op.execute(f'UPDATE "user" SET answer_count = (SELECT COUNT(*) {_REPLIES})')
