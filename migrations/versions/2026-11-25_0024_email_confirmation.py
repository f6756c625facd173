"""confirmed e-mail addresses: when each member confirmed theirs, and the links that confirm one

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-25 01:00:00

Members who joined before this revision count as confirmed from the day they joined: they have
been getting nothing by e-mail so far, and asking all of them to confirm now would stop the
notifications they just started getting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("email_verified_at", UTCDateTime(timezone=True)))
    op.execute('UPDATE "user" SET email_verified_at = created_at')
    op.create_table(
        "email_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_email_confirmation_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_confirmation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_confirmation_token_hash")),
    )
    op.create_index(
        op.f("ix_email_confirmation_user_id"), "email_confirmation", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_email_confirmation_user_id"), table_name="email_confirmation")
    op.drop_table("email_confirmation")
    op.drop_column("user", "email_verified_at")
