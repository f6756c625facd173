"""post feature vectors: each post's text embedded for the classifiers (e5's "query: " prefix),
stored by the signals worker so a resignal never embeds again

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 05:52:37.747201
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_feature_vector",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        # float32 little-endian (bytea on PostgreSQL, BLOB on SQLite)
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_feature_vector_post_id_post")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_feature_vector")),
    )


def downgrade() -> None:
    op.drop_table("post_feature_vector")
