"""Tables of the community core. Timestamps are aware UTC; nothing users write is hard-deleted."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, text, true
from sqlmodel import Field, SQLModel

from community.db import UTCDateTime


def utc_column(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Role(StrEnum):
    member = "member"
    moderator = "moderator"
    admin = "admin"


class HiddenReason(StrEnum):
    moderator = "moderator"  # a moderator hid it
    personal_data = "personal_data"  # personal data found: hidden until a moderator reviews it
    awaiting_approval = "awaiting_approval"  # a newcomer's post with a link (community.ranks)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=30, unique=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=60)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.member, max_length=16, index=True)
    language: str | None = Field(default=None, max_length=8)
    # An IANA name ("Europe/Rome"); None: the community's (settings.time_zone).
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    # Bumped on password change: every session signed before it stops working.
    session_epoch: int = 0
    is_active: bool = True
    # A suspended member can read but not post, kudo or flag until this time (moderation sets it).
    suspended_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    suspension_reason: str | None = Field(default=None, max_length=500)
    answer_count: int = 0
    solution_count: int = 0
    kudos_received: int = 0
    thread_count: int = 0
    # The sum of the member's reputation_entry rows, moved in the same transaction as each row
    # (community.reputation); `peerdesk recompute-reputation` rebuilds it from the ledger.
    reputation: int = 0
    # Nominated by a moderator to the advocate programme (moderation.advocates); None: not one.
    advocate_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When the member proved the address is theirs (community.email_confirmation); None: not yet,
    # and no notification goes to it.
    email_verified_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Notifications not seen in time come by e-mail too (community.notification_mail).
    email_notifications: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # The member deleted the account (community.account_erasure): the row stays under a
    # pseudonym, its personal data gone, and never signs in again.
    erased_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.moderator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


class PasswordResetToken(SQLModel, table=True):
    """A "forgot your password" link (community.password_reset): only the SHA-256 of its token is
    kept, so the database never holds a link that works; one use, and it expires."""

    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class EmailConfirmation(SQLModel, table=True):
    """A link that proves ``email`` is the member's (at sign-up, or before an address change takes
    effect); like a reset link, only its token's SHA-256 is kept."""

    __tablename__ = "email_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=60)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(sa_column=utc_column())
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Category(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=80)
    # What the category is about, once per language of the community: readers see theirs.
    description_it: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
    position: int = 0
    thread_count: int = 0
    post_count: int = 0
    last_activity_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_thread_id: int | None = None

    def description_in(self, language: str) -> str:
        """The description for a reader of ``language``; the other one while theirs is empty."""
        own, other = (
            (self.description_en, self.description_it)
            if language == "en"
            else (self.description_it, self.description_en)
        )
        return own or other


def _unanswered_index(name: str, *columns: str) -> Index:
    where = text("first_response_at IS NULL")
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Thread(SQLModel, table=True):
    __table_args__ = (
        Index("ix_thread_category_activity", "category_id", "last_activity_at", "id"),
        Index("ix_thread_category_created", "category_id", "created_at", "id"),
        Index("ix_thread_category_kudos", "category_id", "kudos_count", "id"),
        Index("ix_thread_author_activity", "author_id", "last_activity_at", "id"),
        Index("ix_thread_activity", "last_activity_at", "id"),
        # Lists across all categories (community.listing) walk these backwards.
        Index("ix_thread_created", "created_at", "id"),
        Index("ix_thread_kudos", "kudos_count", "id"),
        # The threads merged into one (community.first_response asks for their askers).
        Index(
            "ix_thread_merged_into",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        # "Unanswered" is a small, selective slice: without these a page of it would scan a
        # whole category looking for the few threads nobody but the asker has replied to.
        _unanswered_index("ix_thread_unanswered_activity", "last_activity_at", "id"),
        _unanswered_index("ix_thread_unanswered_created", "created_at", "id"),
        _unanswered_index("ix_thread_unanswered_kudos", "kudos_count", "id"),
        _unanswered_index(
            "ix_thread_unanswered_category_activity", "category_id", "last_activity_at", "id"
        ),
        _unanswered_index(
            "ix_thread_unanswered_category_created", "category_id", "created_at", "id"
        ),
        _unanswered_index(
            "ix_thread_unanswered_category_kudos", "category_id", "kudos_count", "id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="category.id")
    author_id: int = Field(foreign_key="user.id")
    title: str = Field(max_length=200)
    tags: str = Field(default="", max_length=300)  # space-separated, normalised; see thread_tag
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_column=utc_column())
    last_activity_at: datetime = Field(sa_column=utc_column())
    last_post_id: int | None = None
    reply_count: int = 0
    kudos_count: int = 0
    view_count: int = 0
    # First reply by anyone but the asker: "unanswered" means this is null.
    first_response_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    solved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted_by_id: int | None = Field(default=None, foreign_key="user.id")
    is_locked: bool = False
    # Hidden: only its author and moderators see it (a moderator's decision, or personal data in
    # the question waiting for review); never destroyed. See community.visibility.
    # hidden_by_id and merged_into_id carry no foreign key: they came after the table, and
    # adding one would make SQLite copy the whole table (the audit log names the moderator).
    hidden_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    hidden_by_id: int | None = None
    hidden_reason: str | None = Field(default=None, max_length=20)
    # A thread merged into another keeps its row (links keep working) and redirects there.
    merged_into_id: int | None = None
    # Marked as a duplicate of another thread (a privilege of high ranks): it points there.
    duplicate_of_id: int | None = None
    duplicate_marked_by_id: int | None = None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_solved(self) -> bool:
        return self.solved_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ThreadTag(SQLModel, table=True):
    __tablename__ = "thread_tag"
    __table_args__ = (Index("ix_thread_tag_tag_thread", "tag", "thread_id"),)

    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    tag: str = Field(max_length=30, primary_key=True)


class Post(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("thread_id", "post_number"),
        Index("ix_post_author_created", "author_id", "created_at"),
        # The few hidden posts of a thread: reply counts leave out those held for review.
        Index(
            "ix_post_hidden_thread",
            "thread_id",
            sqlite_where=text("hidden_at IS NOT NULL"),
            postgresql_where=text("hidden_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id")
    author_id: int = Field(foreign_key="user.id")
    post_number: int  # 1 is the question
    body: str
    body_html: str
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_column=utc_column())
    # When every reader could first see it: its creation, or the moderator's approval of a post
    # that waited for one (None until then). A reply answers the thread from this moment.
    published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    edited_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revision_count: int = 0
    kudos_count: int = 0
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted_by_id: int | None = Field(default=None, foreign_key="user.id")
    hidden_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    hidden_by_id: int | None = None  # no foreign key: see Thread
    hidden_reason: str | None = Field(default=None, max_length=20)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def edited_since_hidden(self) -> bool:
        """Changed after it was hidden, by its author or a moderator taking the data out (a post
        held for review waits for the moderator all the same)."""
        return (
            self.hidden_at is not None
            and self.edited_at is not None
            and self.edited_at > self.hidden_at
        )

    @property
    def is_question(self) -> bool:
        return self.post_number == 1

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(SQLModel, table=True):
    """The text a post had before an edit; the post row always holds the current text."""

    __tablename__ = "post_revision"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    number: int
    title: str | None = Field(default=None, max_length=200)
    tags: str | None = Field(default=None, max_length=300)
    body: str
    edited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=utc_column())


class Kudos(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(sa_column=utc_column())


class Solution(SQLModel, table=True):
    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    accepted_by_id: int = Field(foreign_key="user.id")
    accepted_at: datetime = Field(sa_column=utc_column())


class CategoryWatch(SQLModel, table=True):
    """A member told of every new question in a category (community.category_watching)."""

    __tablename__ = "category_watch"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    category_id: int = Field(foreign_key="category.id", primary_key=True, index=True)
    created_at: datetime = Field(sa_column=utc_column())


class Watch(SQLModel, table=True):
    """Whether a user follows a thread; an explicit unwatch (watching=False) beats auto-watch."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", primary_key=True, index=True)
    watching: bool = True
    created_at: datetime = Field(sa_column=utc_column())


class Bookmark(SQLModel, table=True):
    """A post a member saved to find again, with an optional note of theirs (community.bookmarks).
    Private to the member; it outlives the post's visibility, and their list shows only what they
    may read now."""

    __table_args__ = (
        UniqueConstraint("user_id", "post_id"),
        # The member's list, newest first (keyset on created_at, id).
        Index("ix_bookmark_user_created", "user_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    post_id: int = Field(foreign_key="post.id")
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=utc_column())


# The notifications a member also gets by e-mail when they have not seen them in time: someone
# answered or needs them, or asked in a category they watch. Kudos, badges, flags and surveys
# stay on the site.
MAILED_KINDS = (
    "reply",
    "mention",
    "solution",
    "case",
    "case_pending",
    "case_resolved",
    "case_reply",
    "published",
    "sla_at_risk",
    "new_thread",
)
MAIL_DUE = "mail_done_at IS NULL AND kind IN (" + ", ".join(f"'{k}'" for k in MAILED_KINDS) + ")"


class NotificationKind(StrEnum):
    reply = "reply"
    solution = "solution"
    kudos = "kudos"
    mention = "mention"
    flag = "flag"  # a moderator reviewed a post the user flagged (moderation)
    case = "case"  # the brand wrote to the user in one of their private cases (moderation)
    survey = "survey"  # the asker's thread was solved: "Did this solve your problem?" (moderation)
    case_survey = "case_survey"  # the same question when their private case is resolved
    case_pending = "case_pending"  # the brand waits for the user's reply in their case
    case_resolved = "case_resolved"  # the brand resolved their case (again: once, it's the survey)
    case_reply = "case_reply"  # the customer wrote in a case assigned to the (staff) user
    badge = "badge"  # the member earned a badge (community.badges)
    published = "published"  # a moderator let the user's held post through (community.visibility)
    sla_at_risk = "sla_at_risk"  # a thread the moderator claimed nears its target (moderation)
    new_thread = "new_thread"  # a question in a category the member watches


class Notification(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "kind"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index(
            "ix_notification_user_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
        # Only what the mailer has still to look at: a few minutes' worth of rows.
        Index(
            "ix_notification_mail_due",
            "created_at",
            sqlite_where=text(MAIL_DUE),
            postgresql_where=text(MAIL_DUE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=16)
    event_id: int = Field(foreign_key="outbox_event.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    post_id: int | None = Field(default=None, foreign_key="post.id")
    created_at: datetime = Field(sa_column=utc_column())
    read_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When the mailer sent it or decided not to (seen in time, e-mail turned off, not a kind it
    # mails): None only while it may still go out.
    mail_done_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


# --- Text understanding: one vector per post, computed by the worker (see search.embeddings) ----


class PostEmbedding(SQLModel, table=True):
    """A post's text embedding, computed once by the outbox worker, never in a request.

    ``vector`` holds ``dimensions`` float32 values, little-endian, L2-normalised; ``model`` names
    the model and version that produced it, so a new model can be rolled out by recomputing the
    rows that name another. Search and moderation both read it; only search computes it.
    """

    __tablename__ = "post_embedding"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    model: str = Field(max_length=80)
    dimensions: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


# --- Reputation: a ledger of points, totals kept beside it, badges (see community.reputation) ---


class ReputationReason(StrEnum):
    answer_kudos = "answer_kudos"  # kudos received on a reply
    question_kudos = "question_kudos"  # kudos received on a question
    answer_accepted = "answer_accepted"  # your reply was accepted as the solution
    accepted_answer = "accepted_answer"  # you accepted a solution to your question
    rescue = "rescue"  # you answered a thread that had been unanswered for a day
    flag_upheld = "flag_upheld"  # a moderator upheld a flag against your post (a penalty)


class ReputationEntry(SQLModel, table=True):
    """One change of one member's reputation. Rows are never edited or deleted except
    ``reversed_at`` (and ``category_id``, emptied when its category is deleted): undoing a change
    (kudos withdrawn, solution unmarked, post deleted) appends a row with the opposite points
    that names the original in ``reverses_id``."""

    __tablename__ = "reputation_entry"
    __table_args__ = (
        Index("ix_reputation_entry_user", "user_id", "id"),
        Index("ix_reputation_entry_user_created", "user_id", "created_at"),
        Index("ix_reputation_entry_post", "post_id", "reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    points: int
    reason: str = Field(max_length=24)
    post_id: int | None = Field(default=None, foreign_key="post.id")
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    category_id: int | None = Field(default=None, foreign_key="category.id")
    # Who caused it (the kudos giver, the accepter, the moderator), when someone did.
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    # Why the points are fewer than the rule's value ("daily_cap", "mutual_kudos"), or "".
    note: str = Field(default="", max_length=24)
    created_at: datetime = Field(sa_column=utc_column())
    reverses_id: int | None = Field(default=None, foreign_key="reputation_entry.id")
    reversed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ReputationTally(SQLModel, table=True):
    """Points and accepted solutions per member, period and category, moved with every ledger
    row so a leaderboard is an index walk. ``period`` is "all", "m2026-11" (a calendar month)
    or "w2026-11-23" (the Monday of an ISO week), in UTC; ``category_id`` 0 is every category."""

    __tablename__ = "reputation_tally"
    __table_args__ = (
        Index("ix_reputation_tally_points", "period", "category_id", "points", "user_id"),
        Index("ix_reputation_tally_solutions", "period", "category_id", "solutions", "user_id"),
    )

    period: str = Field(max_length=12, primary_key=True)
    category_id: int = Field(primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    points: int = 0
    solutions: int = 0


class BadgeAward(SQLModel, table=True):
    """A badge earned, once per member and badge, by the rules in community.badges."""

    __tablename__ = "badge_award"
    __table_args__ = (UniqueConstraint("user_id", "badge"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    badge: str = Field(max_length=40)
    post_id: int | None = Field(default=None, foreign_key="post.id")
    awarded_at: datetime = Field(sa_column=utc_column())


class KudosPair(SQLModel, table=True):
    """Two members who keep giving each other kudos (community.reputation.MUTUAL_*): while
    ``status`` is "suspected" or "upheld" kudos between them earn no points; a moderator who
    finds nothing wrong sets "cleared"."""

    __tablename__ = "kudos_pair"

    low_id: int = Field(foreign_key="user.id", primary_key=True)
    high_id: int = Field(foreign_key="user.id", primary_key=True)
    status: str = Field(default="suspected", max_length=10)
    detected_at: datetime = Field(sa_column=utc_column())
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AdvocateCategory(SQLModel, table=True):
    """The categories an advocate looks after (their "needs a peer answer" view)."""

    __tablename__ = "advocate_category"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    category_id: int = Field(foreign_key="category.id", primary_key=True)


class Upload(SQLModel, table=True):
    """An image a member attached to a question or an answer (community.uploads): decoded,
    cleaned and re-encoded, stored once per content under var/uploads/ and named by the SHA-256
    of the stored bytes. The row is the first uploader's; the same image sent again reuses it."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    sha256: str = Field(max_length=64, unique=True)
    content_type: str = Field(max_length=32)
    byte_size: int
    width: int
    height: int
    original_filename: str = Field(max_length=120)
    created_at: datetime = Field(sa_column=utc_column())
