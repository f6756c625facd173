"""reputation: the points ledger and its tallies, badges, kudos pairs, advocates, duplicates

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:48:43.541223
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "advocate_category",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_advocate_category_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_advocate_category_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "category_id", name=op.f("pk_advocate_category")),
    )
    op.create_table(
        "kudos_pair",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("detected_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["high_id"], ["user.id"], name=op.f("fk_kudos_pair_high_id_user")),
        sa.ForeignKeyConstraint(["low_id"], ["user.id"], name=op.f("fk_kudos_pair_low_id_user")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["user.id"], name=op.f("fk_kudos_pair_resolved_by_id_user")
        ),
        sa.PrimaryKeyConstraint("low_id", "high_id", name=op.f("pk_kudos_pair")),
    )
    op.create_table(
        "reputation_tally",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("solutions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_reputation_tally_user_id_user")
        ),
        sa.PrimaryKeyConstraint(
            "period", "category_id", "user_id", name=op.f("pk_reputation_tally")
        ),
    )
    with op.batch_alter_table("reputation_tally", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reputation_tally_points",
            ["period", "category_id", "points", "user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reputation_tally_solutions",
            ["period", "category_id", "solutions", "user_id"],
            unique=False,
        )

    op.create_table(
        "badge_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("badge", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("awarded_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_badge_award_post_id_post")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_badge_award_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_award")),
        sa.UniqueConstraint("user_id", "badge", name=op.f("uq_badge_award_user_id_badge")),
    )
    op.create_table(
        "reputation_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reversed_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_reputation_entry_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_reputation_entry_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_reputation_entry_post_id_post")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["reputation_entry.id"],
            name=op.f("fk_reputation_entry_reverses_id_reputation_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_reputation_entry_thread_id_thread")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_reputation_entry_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reputation_entry")),
    )
    with op.batch_alter_table("reputation_entry", schema=None) as batch_op:
        batch_op.create_index("ix_reputation_entry_post", ["post_id", "reason"], unique=False)
        batch_op.create_index("ix_reputation_entry_user", ["user_id", "id"], unique=False)
        batch_op.create_index(
            "ix_reputation_entry_user_created", ["user_id", "created_at"], unique=False
        )

    # Plain ADD COLUMNs (no foreign keys), so SQLite does not copy the tables.
    op.add_column("thread", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
    op.add_column("thread", sa.Column("duplicate_marked_by_id", sa.Integer(), nullable=True))
    op.add_column("user", sa.Column("reputation", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "user", sa.Column("advocate_since", community.db.UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("advocate_since")
        batch_op.drop_column("reputation")

    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_column("duplicate_marked_by_id")
        batch_op.drop_column("duplicate_of_id")

    with op.batch_alter_table("reputation_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_reputation_entry_user_created")
        batch_op.drop_index("ix_reputation_entry_user")
        batch_op.drop_index("ix_reputation_entry_post")

    op.drop_table("reputation_entry")
    op.drop_table("badge_award")
    with op.batch_alter_table("reputation_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_reputation_tally_solutions")
        batch_op.drop_index("ix_reputation_tally_points")

    op.drop_table("reputation_tally")
    op.drop_table("kudos_pair")
    op.drop_table("advocate_category")
