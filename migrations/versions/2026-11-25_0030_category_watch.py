"""watching a category: members told of every new question in it, by notification and e-mail

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-25 05:00:00

The mailer's partial index names the notification kinds it sends, so it is made again with the
new kind ``new_thread``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
    "reply",
    "mention",
    "solution",
    "case",
    "case_pending",
    "case_resolved",
    "case_reply",
    "published",
    "sla_at_risk",
)
_AFTER = (*_BEFORE, "new_thread")


def _mail_due(kinds: tuple[str, ...]) -> str:
    return "mail_done_at IS NULL AND kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _mail_index(kinds: tuple[str, ...]) -> None:
    op.drop_index("ix_notification_mail_due", table_name="notification")
    op.create_index(
        "ix_notification_mail_due",
        "notification",
        ["created_at"],
        sqlite_where=sa.text(_mail_due(kinds)),
        postgresql_where=sa.text(_mail_due(kinds)),
    )


def upgrade() -> None:
    op.create_table(
        "category_watch",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id", "category_id"),
    )
    op.create_index(
        op.f("ix_category_watch_category_id"), "category_watch", ["category_id"], unique=False
    )
    _mail_index(_AFTER)


def downgrade() -> None:
    _mail_index(_BEFORE)
    op.execute("DELETE FROM notification WHERE kind = 'new_thread'")
    op.drop_index(op.f("ix_category_watch_category_id"), table_name="category_watch")
    op.drop_table("category_watch")
