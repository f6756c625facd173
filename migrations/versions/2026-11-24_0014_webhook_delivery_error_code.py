"""webhook delivery error code: a failed attempt says why in a code the delivery log turns into
words (moderation.webhooks.Failure)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 13:27:41.512087

The attempts logged before have their code read once from what they recorded: the status code,
or the start of the error text moderation.webhooks wrote then (anything else is a network error).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

delivery = sa.table(
    "webhook_delivery",
    sa.column("status_code", sa.Integer()),
    sa.column("error", sa.Text()),
    sa.column("error_code", sa.String()),
)
# The error texts of moderation.webhooks before 0014, by the code each stands for (first match).
LOGGED_ERRORS: list[tuple[str, list[str]]] = [
    ("no_secret", ["PEERDESK_CRM_WEBHOOK_SECRET is not set%"]),
    (
        "timeout",
        ["TimeoutError:%", "ConnectTimeout:%", "ReadTimeout:%", "WriteTimeout:%", "PoolTimeout:%"],
    ),
    ("invalid_url", ["InvalidURL:%", "UnsupportedProtocol:%"]),
    ("refused", ["ConnectError:%Connection refused%"]),
    (
        "unresolved",
        [
            "ConnectError:%Name or service not known%",
            "ConnectError:%name resolution%",
            "ConnectError:%No address associated with hostname%",
        ],
    ),
]


def upgrade() -> None:
    op.add_column(
        "webhook_delivery",
        sa.Column("error_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    failed = delivery.c.error.is_not(None) & delivery.c.error_code.is_(None)
    op.execute(
        delivery.update()
        .where(failed, delivery.c.status_code.is_not(None))
        .values(error_code="http_status")
    )
    for code, patterns in LOGGED_ERRORS:
        matches = sa.or_(*(delivery.c.error.like(pattern) for pattern in patterns))
        op.execute(delivery.update().where(failed, matches).values(error_code=code))
    op.execute(delivery.update().where(failed).values(error_code="network"))


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_column("error_code")
