"""category counters count published posts only: a post held for review (personal data, a
newcomer's link) counts once a moderator publishes it, like the thread it opens

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 16:40:00

Data only: both counters are recounted from the posts. A downgrade leaves them as they are (the
earlier code adjusts them by one at a time and never reads them whole).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A thread merged into another is counted there, with its posts; a deleted thread's posts left
# the count with it.
_COUNTED_POSTS = """
    FROM post p JOIN thread t ON t.id = p.thread_id
    WHERE t.category_id = category.id AND t.deleted_at IS NULL AND t.merged_into_id IS NULL
      AND p.deleted_at IS NULL AND p.published_at IS NOT NULL
"""


def upgrade() -> None:
    op.execute(
        f"""UPDATE category SET
            thread_count = (SELECT COUNT(*) {_COUNTED_POSTS} AND p.post_number = 1),
            post_count = (SELECT COUNT(*) {_COUNTED_POSTS})"""
    )


def downgrade() -> None:
    pass
