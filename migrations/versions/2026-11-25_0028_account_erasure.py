"""user.erased_at: when a member's account was deleted and its personal data wiped

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-25 03:00:00

community.account_erasure keeps the row (posts, kudos and cases point at it) under a pseudonym
and records the moment here; a row with it set never signs in again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("erased_at", UTCDateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("user", "erased_at")
