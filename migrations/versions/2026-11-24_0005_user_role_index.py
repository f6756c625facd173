"""index on user.role: the moderator list (assign menus, assignee filter) without a table scan

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_user_role"), "user", ["role"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_role"), table_name="user")
