"""at-risk alerts: which assignee was told that their claimed thread nears its target, and the
notification that tells them joins the ones the mailer sends

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-25 01:20:00

The mailer's partial index names the notification kinds it sends, so it is made again with the new
kind. Claimed threads already at risk when this runs are announced once, like any other: only
claimed threads are, so that is a handful.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
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
)
_AFTER = (*_BEFORE, "sla_at_risk")


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
    op.add_column("care_thread", sa.Column("risk_alerted_id", sa.Integer()))
    _mail_index(_AFTER)


def downgrade() -> None:
    _mail_index(_BEFORE)
    op.drop_column("care_thread", "risk_alerted_id")
