"""notifications by e-mail: each member's choice, and which notifications the mailer has done with

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-25 00:45:00

Every notification made before this revision counts as done: a member who upgrades does not get
the backlog of their whole history by e-mail.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAILED_KINDS = (
    "reply",
    "mention",
    "solution",
    "case",
    "case_pending",
    "case_resolved",
    "case_reply",
    "published",
)
_MAIL_DUE = "mail_done_at IS NULL AND kind IN (" + ", ".join(f"'{k}'" for k in _MAILED_KINDS) + ")"


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("email_notifications", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("notification", sa.Column("mail_done_at", UTCDateTime(timezone=True)))
    op.execute("UPDATE notification SET mail_done_at = created_at")
    op.create_index(
        "ix_notification_mail_due",
        "notification",
        ["created_at"],
        sqlite_where=sa.text(_MAIL_DUE),
        postgresql_where=sa.text(_MAIL_DUE),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_mail_due", table_name="notification")
    op.drop_column("notification", "mail_done_at")
    op.drop_column("user", "email_notifications")
