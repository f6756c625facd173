"""moderation: post signals, care state of threads (queue, claims), flags, signal corrections,
canned replies, private cases and their webhook log, the audit log; hidden posts and threads,
merged threads and suspended members in the core tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:29:54.537407
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import community.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_audit_entry_actor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_actor", ["actor_id", "created_at"], unique=False)
        batch_op.create_index("ix_audit_entry_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_entry_target", ["target_type", "target_id", "created_at"], unique=False
        )

    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_canned_reply_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_reply")),
    )
    op.create_table(
        "service_level",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("first_response_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_service_level_category_id_category")
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_service_level")),
    )
    op.create_table(
        "care_thread",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("urgent_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_official_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("needs_brand", sa.Boolean(), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("toxic", sa.Boolean(), nullable=False),
        sa.Column("pii_hidden", sa.Boolean(), nullable=False),
        sa.Column("open_flags", sa.Integer(), nullable=False),
        sa.Column("me_too", sa.Integer(), nullable=False),
        sa.Column("repeat_contact", sa.Integer(), nullable=False),
        sa.Column("in_queue", sa.Boolean(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_care_thread_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_care_thread_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["user.id"], name=op.f("fk_care_thread_customer_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_care_thread_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("thread_id", name=op.f("pk_care_thread")),
    )
    with op.batch_alter_table("care_thread", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_thread_assignee", ["assignee_id", "in_queue", "urgent_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_thread_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_care_thread_queue", ["in_queue", "urgent_at", "thread_id"], unique=False
        )
        batch_op.create_index(
            "ix_care_thread_queue_category",
            ["in_queue", "category_id", "urgent_at", "thread_id"],
            unique=False,
        )

    op.create_table(
        "flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("flagger_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["flagger_id"], ["user.id"], name=op.f("fk_flag_flagger_id_user")),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_flag_post_id_post")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["user.id"], name=op.f("fk_flag_resolved_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_flag_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag")),
        sa.UniqueConstraint("post_id", "flagger_id", name=op.f("uq_flag_post_id_flagger_id")),
    )
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_flagger_id"), ["flagger_id"], unique=False)
        batch_op.create_index(
            "ix_flag_open_thread",
            ["thread_id"],
            unique=False,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "post_signal",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("sentiment", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("needs_brand", sa.Boolean(), nullable=False),
        sa.Column("needs_brand_score", sa.Float(), nullable=False),
        sa.Column("toxic", sa.Boolean(), nullable=False),
        sa.Column("toxic_score", sa.Float(), nullable=False),
        sa.Column("pii", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("computed_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_post_signal_post_id_post")),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_post_signal_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_signal")),
    )
    with op.batch_alter_table("post_signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_signal_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "signal_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("signal", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"], ["user.id"], name=op.f("fk_signal_correction_corrected_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_signal_correction_post_id_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_correction")),
        sa.UniqueConstraint("post_id", "signal", name=op.f("uq_signal_correction_post_id_signal")),
    )
    with op.batch_alter_table("signal_correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_correction_post_id"), ["post_id"], unique=False)

    op.create_table(
        "support_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_support_case_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_support_case_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["user.id"], name=op.f("fk_support_case_customer_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_support_case_post_id_post")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_support_case_thread_id_thread")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_case")),
    )
    with op.batch_alter_table("support_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_case_assignee", ["assignee_id", "updated_at"], unique=False
        )
        batch_op.create_index(
            "ix_support_case_customer", ["customer_id", "updated_at"], unique=False
        )
        batch_op.create_index("ix_support_case_status", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_case_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_case_message_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_case.id"], name=op.f("fk_case_message_case_id_support_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
    )
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.create_index("ix_case_message_case", ["case_id", "id"], unique=False)

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_case.id"], name=op.f("fk_webhook_delivery_case_id_support_case")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_event.id"],
            name=op.f("fk_webhook_delivery_event_id_outbox_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_delivery_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_event_id"), ["event_id"], unique=False
        )

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden_at", community.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("hidden_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hidden_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )

    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden_at", community.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("hidden_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hidden_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suspended_until", community.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "suspension_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("suspension_reason")
        batch_op.drop_column("suspended_until")

    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_by_id")
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_by_id")
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_delivery_event_id"))
        batch_op.drop_index("ix_webhook_delivery_created")

    op.drop_table("webhook_delivery")
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.drop_index("ix_case_message_case")

    op.drop_table("case_message")
    with op.batch_alter_table("support_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_case_thread_id"))
        batch_op.drop_index("ix_support_case_status")
        batch_op.drop_index("ix_support_case_customer")
        batch_op.drop_index("ix_support_case_assignee")

    op.drop_table("support_case")
    with op.batch_alter_table("signal_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_correction_post_id"))

    op.drop_table("signal_correction")
    with op.batch_alter_table("post_signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_signal_thread_id"))

    op.drop_table("post_signal")
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_flag_open_thread",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_flag_flagger_id"))

    op.drop_table("flag")
    with op.batch_alter_table("care_thread", schema=None) as batch_op:
        batch_op.drop_index("ix_care_thread_queue_category")
        batch_op.drop_index("ix_care_thread_queue")
        batch_op.drop_index(batch_op.f("ix_care_thread_customer_id"))
        batch_op.drop_index("ix_care_thread_assignee")

    op.drop_table("care_thread")
    op.drop_table("service_level")
    op.drop_table("canned_reply")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_target")
        batch_op.drop_index("ix_audit_entry_created")
        batch_op.drop_index("ix_audit_entry_actor")

    op.drop_table("audit_entry")
