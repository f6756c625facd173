"""category description per language: ``description_it`` and ``description_en`` replace the one
``description``, so readers see theirs instead of both languages at once

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 14:32:18

Nobody can tell which language an existing description is written in (the demo's held both), so
it is kept as the description of each language until the brand edits them. A downgrade keeps the
Italian one, or the English one where the Italian is empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

category = sa.table(
    "category",
    sa.column("description", sa.String()),
    sa.column("description_it", sa.String()),
    sa.column("description_en", sa.String()),
)


def _text_column(name: str) -> sa.Column[str]:
    return sa.Column(
        name, sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
    )


def upgrade() -> None:
    # Column by column, not in a batch: on SQLite a batch copies the table and drops the old one,
    # which the threads' foreign keys to their categories refuse (DROP COLUMN needs SQLite 3.35).
    op.add_column("category", _text_column("description_it"))
    op.add_column("category", _text_column("description_en"))
    op.execute(
        category.update().values(
            description_it=category.c.description, description_en=category.c.description
        )
    )
    op.drop_column("category", "description")


def downgrade() -> None:
    op.add_column("category", _text_column("description"))
    op.execute(
        category.update().values(
            description=sa.case(
                (category.c.description_it != "", category.c.description_it),
                else_=category.c.description_en,
            )
        )
    )
    op.drop_column("category", "description_en")
    op.drop_column("category", "description_it")
