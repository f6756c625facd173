"""post published at: when every reader could first see a post (its creation, or the approval of
one that waited); a reply answers its thread from then (community.first_response)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "post",
        sa.Column("published_at", community.db.UTCDateTime(timezone=True), nullable=True),
    )
    # Posts out already were published when written, as far as anyone can tell now; those still
    # waiting for approval are not published yet.
    op.execute(
        "UPDATE post SET published_at = created_at"
        " WHERE hidden_reason IS NULL OR hidden_reason <> 'awaiting_approval'"
    )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("published_at")
