"""post embeddings: one stored text vector per post, named by the model that computed it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:56:11.569502
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_embedding",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        # float32 little-endian, `dimensions` of them (bytea on PostgreSQL, BLOB on SQLite)
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_embedding_post_id_post")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_embedding")),
    )


def downgrade() -> None:
    op.drop_table("post_embedding")
