"""the queue's mutual-kudos flags (system flags naming a pair) and posts awaiting approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:54:02.654212

``care_thread`` can be large: its new column is added in place with a server default (no table
copy on SQLite). ``flag`` is small, so making ``flagger_id`` nullable may copy it on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "care_thread",
        sa.Column("awaiting_approval", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pair_low_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pair_high_id", sa.Integer(), nullable=True))
        batch_op.alter_column("flagger_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_flag_pair_low_id_user"), "user", ["pair_low_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_flag_pair_high_id_user"), "user", ["pair_high_id"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM flag WHERE flagger_id IS NULL")
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_flag_pair_high_id_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_flag_pair_low_id_user"), type_="foreignkey")
        batch_op.alter_column("flagger_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("pair_high_id")
        batch_op.drop_column("pair_low_id")
    with op.batch_alter_table("care_thread", schema=None) as batch_op:
        batch_op.drop_column("awaiting_approval")
