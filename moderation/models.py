"""Tables of moderation: signals on posts, the care state of threads (service levels, the
listening queue, claims), flags, corrections, canned replies, private cases, webhooks and the
audit log. ``community`` never reads these; moderation reads and writes community's rows through
its services."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from community.models import utc_column

# --- Signals: computed by the worker, per post, with the model version that produced them ------


class Sentiment(StrEnum):
    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class PostSignal(SQLModel, table=True):
    """What the models read in a post. ``pii`` lists the kinds of personal data found
    (space-separated: ``email phone card iban tax_code``), empty when none."""

    __tablename__ = "post_signal"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True)
    model_version: str = Field(max_length=80)
    language: str = Field(max_length=8)
    sentiment: str = Field(max_length=10)
    sentiment_score: float
    needs_brand: bool
    needs_brand_score: float
    toxic: bool
    toxic_score: float
    pii: str = Field(default="", max_length=100)
    computed_at: datetime = Field(sa_column=utc_column())


class PostFeatureVector(SQLModel, table=True):
    """A post's feature vector (search.embeddings.embed_features): the text the classifiers read,
    embedded by the signals worker once per version of the text, so a resignal never recomputes
    it. Laid out like community's ``PostEmbedding``: ``vector`` holds float32 values,
    little-endian; ``model`` names the model that made it."""

    __tablename__ = "post_feature_vector"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    model: str = Field(max_length=80)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


class SignalCorrection(SQLModel, table=True):
    """A moderator's verdict on one signal of one post ("not negative", "doesn't need us").
    It overrides the model in the queue and is training data for ``peerdesk train``."""

    __tablename__ = "signal_correction"
    __table_args__ = (UniqueConstraint("post_id", "signal"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    signal: str = Field(max_length=20)  # sentiment | needs_brand | toxic
    value: str = Field(max_length=20)  # a Sentiment, or "true" / "false"
    corrected_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=utc_column())


# --- Service levels and the listening queue ---------------------------------------------------


class ServiceLevel(SQLModel, table=True):
    """A category's first-response target; categories without a row use the default (24 h)."""

    __tablename__ = "service_level"

    category_id: int = Field(foreign_key="category.id", primary_key=True)
    first_response_hours: int = 24


class CareThread(SQLModel, table=True):
    """What the care team knows about a thread, kept up to date by the worker from events.

    The queue walks ``(in_queue, urgent_at)``: ``urgent_at`` is the moment the thread's
    first-response deadline passes, moved earlier for negativity, needs-the-brand, reach and
    repeated contact, so ordering by it never needs recomputing as the clock moves.
    """

    __tablename__ = "care_thread"
    __table_args__ = (
        Index("ix_care_thread_queue", "in_queue", "urgent_at", "thread_id"),
        Index("ix_care_thread_queue_category", "in_queue", "category_id", "urgent_at", "thread_id"),
        Index("ix_care_thread_assignee", "assignee_id", "in_queue", "urgent_at"),
        # Covers the analytics' counts: a range of weeks read in (week, category, language)
        # order, so grouping needs no sort and the table is never read.
        Index(
            "ix_care_thread_figures",
            "week",
            "category_id",
            "language",
            "created_at",
            "counted",
            "needs_brand",
            "first_reply_s",
            "first_peer_reply_s",
            "first_brand_reply_s",
            "solution_s",
            "solved_by_brand",
            "solver_id",
            "escalations",
        ),
    )

    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    category_id: int = Field(foreign_key="category.id")
    customer_id: int = Field(foreign_key="user.id", index=True)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_column=utc_column())
    due_at: datetime = Field(sa_column=utc_column())  # created_at + the category's target
    urgent_at: datetime = Field(sa_column=utc_column())
    first_response_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    first_official_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    needs_brand: bool = False
    negative: bool = False
    sentiment_score: float = 0.0  # the most negative customer post's score, 0..1 negative
    toxic: bool = False
    pii_hidden: bool = False
    # A newcomer's post or question with a link waits for a moderator's approval (issue 6).
    awaiting_approval: bool = False
    open_flags: int = 0
    me_too: int = 0
    repeat_contact: int = 0  # the customer's other recent threads and follow-ups
    # A moderator locked the thread: the brand has dealt with it, so it no longer waits for an
    # answer (service level, negativity, needs-the-brand); flags and hidden data still count.
    locked: bool = False
    in_queue: bool = False
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The assignee last told that the thread is at risk of missing its target (sla_alerts).
    risk_alerted_id: int | None = None
    updated_at: datetime = Field(sa_column=utc_column())
    # What the care analytics count (moderation.care_figures): written with the rest of the row,
    # so the dashboard reads one narrow range of this table instead of the posts.
    facts_version: int | None = Field(default=None, index=True)
    counted: bool = True  # neither deleted nor merged away
    week: date | None = None  # the Monday that starts the ISO week of created_at
    first_reply_s: int | None = None  # seconds from the question to the first visible reply
    first_peer_reply_s: int | None = None
    first_brand_reply_s: int | None = None
    solution_s: int | None = None  # seconds from the question to the accepted answer
    solver_id: int | None = None  # the accepted answer's author
    solved_by_brand: bool | None = None
    escalations: int = 0  # private cases opened about the thread

    @property
    def waits_for_answer(self) -> bool:
        """Neither locked nor solved (``solution_s`` is set exactly when it is): only then do the
        service level, negativity and needs-the-brand still call for a reply (see care)."""
        return not self.locked and self.solution_s is None


class CareDuration(SQLModel, table=True):
    """One measured duration of a counted thread (first reply, by peer, by brand; solution),
    indexed by its value so a percentile is an ``OFFSET`` into an index, not a sort."""

    __tablename__ = "care_duration"
    __table_args__ = (
        Index("ix_care_duration_value", "metric", "seconds", "created_at", "language"),
        Index(
            "ix_care_duration_category_value",
            "metric",
            "category_id",
            "seconds",
            "created_at",
            "language",
        ),
        Index("ix_care_duration_language_value", "metric", "language", "seconds", "created_at"),
    )

    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    metric: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seconds: int
    created_at: datetime = Field(sa_column=utc_column())  # the thread's
    category_id: int
    language: str | None = Field(default=None, max_length=8)


class SentimentCount(SQLModel, table=True):
    """What one post adds to the daily sentiment tallies now, so a change moves exactly that
    (moderation.care_figures)."""

    __tablename__ = "sentiment_count"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True)
    day: date
    category_id: int
    language: str = Field(default="", max_length=8)  # "" when unknown
    negative: bool


class SentimentDay(SQLModel, table=True):
    """Signalled posts and negative ones, per day written, category and thread language."""

    __tablename__ = "sentiment_day"

    day: date = Field(primary_key=True)
    category_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    language: str = Field(default="", max_length=8, primary_key=True)
    posts: int = 0
    negative: int = 0


class FlagKind(StrEnum):
    spam = "spam"
    abuse = "abuse"
    off_topic = "off_topic"
    needs_brand = "needs_brand"
    # Raised by the system, not a member: two accounts that keep giving each other kudos
    # (community.reputation.detect_mutual_kudos); ``flagger_id`` is null, the pair is named.
    mutual_kudos = "mutual_kudos"


class FlagStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    dismissed = "dismissed"


class Flag(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("post_id", "flagger_id"),
        Index(
            "ix_flag_open_thread",
            "thread_id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    thread_id: int = Field(foreign_key="thread.id")
    flagger_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)
    # The two members of a mutual-kudos flag (community.models.KudosPair), else null.
    pair_low_id: int | None = Field(default=None, foreign_key="user.id")
    pair_high_id: int | None = Field(default=None, foreign_key="user.id")
    comment: str = Field(default="", max_length=500)
    weight: float = 1.0  # trusted members' flags weigh more (reputation, issue 6)
    status: str = Field(default=FlagStatus.open, max_length=10)
    created_at: datetime = Field(sa_column=utc_column())
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


# --- Replies in the brand's voice --------------------------------------------------------------


class CannedReply(SQLModel, table=True):
    """A brand-voice template; ``{customer_name}`` and ``{thread_title}`` are filled in."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    body: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=8)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


# --- Private cases -----------------------------------------------------------------------------


class CaseStatus(StrEnum):
    open = "open"
    pending_customer = "pending_customer"
    resolved = "resolved"
    closed = "closed"


class CasePriority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class SupportCase(SQLModel, table=True):
    """A private conversation between one customer and the brand, escalated from a thread."""

    __tablename__ = "support_case"
    __table_args__ = (
        Index("ix_support_case_customer", "customer_id", "updated_at"),
        Index("ix_support_case_status", "status", "updated_at"),
        Index("ix_support_case_assignee", "assignee_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="user.id")
    thread_id: int | None = Field(default=None, foreign_key="thread.id", index=True)
    post_id: int | None = Field(default=None, foreign_key="post.id")
    subject: str = Field(max_length=200)
    priority: str = Field(default=CasePriority.normal, max_length=10)
    status: str = Field(default=CaseStatus.open, max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # The last move to "resolved" (kept when closed, cleared when reopened).
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class CaseMessage(SQLModel, table=True):
    """A message in a case; an internal note (``is_internal``) is never shown to the customer."""

    __tablename__ = "case_message"
    __table_args__ = (Index("ix_case_message_case", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="support_case.id")
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    is_internal: bool = False
    created_at: datetime = Field(sa_column=utc_column())


class CaseChange(SQLModel, table=True):
    """A change of a case's status, priority or assignee, for its timeline among the messages.

    ``field`` names what changed: for "status" and "priority" ``value`` holds the new one, for
    "assignee" ``assignee_id`` does (None: unassigned). Only status changes reach the customer.
    """

    __tablename__ = "case_change"
    __table_args__ = (Index("ix_case_change_case", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="support_case.id")
    actor_id: int = Field(foreign_key="user.id")
    field: str = Field(max_length=10)
    value: str | None = Field(default=None, max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    # The case's last message when the change was made: the timeline shows the change after it,
    # whatever the clock says (a customer's reply and the reopening it causes share one instant).
    after_message_id: int | None = Field(default=None, foreign_key="case_message.id")
    created_at: datetime = Field(sa_column=utc_column())


class WebhookDelivery(SQLModel, table=True):
    """One attempt to send a case event to the CRM webhook (the outbox retries; this logs)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_created", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="outbox_event.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="support_case.id")
    url: str = Field(max_length=500)
    attempt: int
    status_code: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Why it failed, for people: a moderation.webhooks.Failure (``error`` keeps the raw detail).
    error_code: str | None = Field(default=None, max_length=20)
    duration_ms: int | None = None
    created_at: datetime = Field(sa_column=utc_column())


# --- Satisfaction (CSAT) ---------------------------------------------------------------------


class SatisfactionResponse(SQLModel, table=True):
    """ "Did this solve your problem?": asked once of the asker when their thread is solved (a
    thread survey: ``thread_id`` set, ``case_id`` null) or their case resolved (a case survey:
    ``case_id`` set, ``thread_id`` null). ``rating`` (1..5) and ``answered_at`` stay null until
    they answer; one survey per asker and thread, and per asker and case.

    An asker who accepts an answer themselves has answered the question without being asked:
    their thread's row is made answered, with the top rating and ``answered_by_accepting`` set,
    and no question is shown or sent (moderation.satisfaction)."""

    __tablename__ = "satisfaction_response"
    __table_args__ = (
        UniqueConstraint("thread_id", "user_id"),
        UniqueConstraint("case_id", "user_id"),
        CheckConstraint("(thread_id IS NULL) <> (case_id IS NULL)", name="one_subject"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_satisfaction_response_answered", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    case_id: int | None = Field(default=None, foreign_key="support_case.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    rating: int | None = None
    comment: str = Field(default="", max_length=1000)
    asked_at: datetime = Field(sa_column=utc_column())
    answered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    answered_by_accepting: bool = False


# --- Accountability ----------------------------------------------------------------------------


class AuditEntry(SQLModel, table=True):
    """Who did what to what, when, with the state before and after (JSON)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_created", "created_at", "id"),
        Index("ix_audit_entry_target", "target_type", "target_id", "created_at"),
        Index("ix_audit_entry_actor", "actor_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="user.id")
    action: str = Field(max_length=40)
    target_type: str = Field(max_length=20)  # thread | post | user | case | flag | canned_reply
    target_id: int
    before: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    after: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
