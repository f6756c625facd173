"""bookmarks: the posts a member saved for later, with an optional note

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-25 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bookmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_bookmark_post_id_post")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_bookmark_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmark")),
        sa.UniqueConstraint("user_id", "post_id", name=op.f("uq_bookmark_user_id_post_id")),
    )
    op.create_index("ix_bookmark_user_created", "bookmark", ["user_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_bookmark_user_created", table_name="bookmark")
    op.drop_table("bookmark")
