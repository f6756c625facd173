"""Request and response shapes of the JSON API, one section per area."""

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from community.models import Category, User
from community.settings import get_settings

# --- Schemas: lists ----------------------------------------------------------------------------


class CategoryPublic(BaseModel):
    id: int
    slug: str
    name: str
    description: str = Field(description="in the reader's language, as the pages show it")
    descriptions: dict[str, str] = Field(description="the description in each language: it, en")
    position: int
    thread_count: int
    post_count: int
    last_activity_at: datetime | None

    @classmethod
    def of(cls, category: Category, language: str) -> Self:
        assert category.id is not None
        return cls(
            id=category.id,
            slug=category.slug,
            name=category.name,
            description=category.description_in(language),
            descriptions={"it": category.description_it, "en": category.description_en},
            position=category.position,
            thread_count=category.thread_count,
            post_count=category.post_count,
            last_activity_at=category.last_activity_at,
        )


class CategoryList(BaseModel):
    items: list[CategoryPublic]


class CategoryRef(BaseModel):
    """A category named inside another resource (a thread, a thread summary)."""

    id: int
    slug: str
    name: str

    @classmethod
    def of(cls, category: Category) -> Self:
        return cls.model_validate(category, from_attributes=True)


class AuthorRef(BaseModel):
    """A member named inside another resource: a list's author, a notification's actor."""

    id: int
    username: str
    display_name: str

    @classmethod
    def of(cls, user: User) -> Self:
        return cls.model_validate(user, from_attributes=True)


class ThreadSummaryPublic(BaseModel):
    id: int
    title: str
    category: CategoryRef
    author: AuthorRef
    tags: list[str]
    reply_count: int
    kudos_count: int
    solved: bool
    answered: bool
    deleted: bool
    hidden: bool = Field(
        default=False, description="Hidden by moderation: listed to its author and moderators only."
    )
    created_at: datetime
    last_activity_at: datetime


class ThreadSummaryList(BaseModel):
    items: list[ThreadSummaryPublic]
    next_cursor: str | None


# --- end of Schemas: lists ---------------------------------------------------------------------


# --- Schemas: accounts -------------------------------------------------------------------------


class UserPublic(BaseModel):
    """What anyone may see of a member (GET /api/v1/users/{username})."""

    username: str
    display_name: str
    role: str
    member_since: datetime
    answers: int
    solutions: int
    kudos_received: int
    threads: int
    reputation: int = Field(description="The member's reputation: the sum of their ledger.")
    rank: str = Field(description="newcomer, contributor, trusted, guide or expert.")
    badges: list["BadgePublic"] = Field(default_factory=list, description="Earliest first.")


class MePublic(UserPublic):
    """The signed-in member, with the private fields only they see (GET /api/v1/me)."""

    id: int
    email: str
    email_confirmed: bool = Field(description="whether the member has confirmed the address")
    email_notifications: bool = Field(
        description="whether notifications they have not seen on the site come by email"
    )
    language: str | None


class ApiTokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=60, examples=["backup script"])


class ApiTokenCreated(BaseModel):
    """The only response that ever contains the token itself."""

    id: int
    name: str
    token: str


class ApiTokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenList(BaseModel):
    items: list[ApiTokenPublic]
    next_cursor: str | None = None


# --- end of Schemas: accounts ------------------------------------------------------------------


# --- Schemas: forum ----------------------------------------------------------------------------
# The thread page and what is done on it: /api/v1/threads/{id}, posts, kudos, solutions.
# Request bodies refuse unknown keys and wrong types (strict), and carry the size limits, so an
# oversized body is a 422 before any service runs.

_forum_settings = get_settings()
ForumTag = Annotated[str, StringConstraints(min_length=1, max_length=30)]
ForumTitle = Annotated[str, StringConstraints(max_length=_forum_settings.max_title_chars)]
ForumBody = Annotated[str, StringConstraints(max_length=_forum_settings.max_body_chars)]


class _ForumRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ThreadCreate(_ForumRequest):
    category: str = Field(min_length=1, max_length=60, examples=["fibra"])
    title: ForumTitle = Field(examples=["My fibre drops every evening"])
    body: ForumBody = Field(examples=["Since Monday the connection drops around 9 pm."])
    tags: list[ForumTag] = Field(default=[], max_length=_forum_settings.max_tags)


class PostCreate(_ForumRequest):
    body: ForumBody = Field(examples=["Restart the modem and check the cable."])
    confirm: bool = Field(
        default=False,
        description="Reply even though a check asked first (409 with field `confirm`), "
        "such as another moderator having claimed the thread.",
    )


class PostUpdate(_ForumRequest):
    """Title and tags only for the opening post; left out, they stay as they are."""

    body: ForumBody
    title: ForumTitle | None = None
    tags: list[ForumTag] | None = Field(default=None, max_length=_forum_settings.max_tags)


class SolutionCreate(_ForumRequest):
    post_id: int = Field(ge=1, le=2**31 - 1)


class PostAuthorPublic(AuthorRef):
    """An author on the thread page, with the role shown beside the name."""

    role: str
    is_staff: bool

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(**AuthorRef.of(user).model_dump(), role=user.role, is_staff=user.is_moderator)


class PostPublic(BaseModel):
    """A post; a deleted one keeps its place but not its text."""

    id: int
    thread_id: int
    post_number: int
    author: PostAuthorPublic
    body: str | None
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None
    revision_count: int
    kudos_count: int
    kudos_given: bool
    is_solution: bool
    deleted: bool
    hidden: bool = False
    hidden_reason: str | None = Field(
        default=None,
        description="Why the post is hidden (moderator, personal_data); only for its author and "
        "moderators. Others get the post without its text.",
    )
    official: bool = Field(description="a reply by the brand's moderators (posting.is_official)")
    brand: str | None = Field(description="the brand's name on an official reply, else null")
    bookmarked: bool = Field(default=False, description="in your bookmarks")


class ThreadPublic(BaseModel):
    id: int
    title: str
    url: str
    category: CategoryRef
    author: PostAuthorPublic
    tags: list[str]
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    kudos_count: int
    view_count: int
    solved: bool
    solved_at: datetime | None
    solution_post_id: int | None
    locked: bool
    deleted: bool
    hidden: bool = Field(
        default=False,
        description="Hidden by a moderator (or for personal data): only its author and moderators "
        "see it.",
    )
    duplicate_of_id: int | None = Field(
        default=None, description="The earlier thread this one duplicates, when it was marked so."
    )


class ThreadDetailPublic(ThreadPublic):
    """A thread with one page of its posts: the question first, then that page's replies."""

    page: int
    pages: int
    posts: list[PostPublic]


class KudosPublic(BaseModel):
    post_id: int
    kudos_count: int
    kudos_given: bool


class DuplicateCreate(_ForumRequest):
    original_id: int = Field(ge=1, le=2**31 - 1, description="The thread that already answers it.")


class SolutionPublic(BaseModel):
    thread_id: int
    solved: bool
    solution_post_id: int | None


# --- end of Schemas: forum ---------------------------------------------------------------------


# --- Schemas: bookmarks ------------------------------------------------------------------------
# /api/v1/me/bookmarks and /api/v1/posts/{id}/bookmark: the signed-in member's own, nobody else's.


class BookmarkSave(_ForumRequest):
    note: str | None = Field(
        default=None,
        max_length=200,
        description="A note of yours, one line. Left out, the note stays as it is; null or an "
        "empty string takes it off.",
    )


class BookmarkPublic(BaseModel):
    post_id: int
    thread_id: int
    thread_title: str
    post_number: int = Field(description="1 is the question")
    url: str = Field(description="the post's page, /p/{post_id}")
    author: AuthorRef
    excerpt: str = Field(description="the start of the post's text, as plain text")
    note: str | None
    created_at: datetime = Field(description="when you saved it")


class BookmarkList(BaseModel):
    items: list[BookmarkPublic] = Field(
        description="newest first; posts you may no longer read (hidden, deleted) are left out "
        "until they can be read again"
    )
    next_cursor: str | None


# --- end of Schemas: bookmarks -----------------------------------------------------------------


# --- Schemas: uploads ---------------------------------------------------------------------------
# POST /api/v1/uploads.


class UploadPublic(BaseModel):
    url: str = Field(description="where the image is served, /uploads/{sha256}.{ext}")
    markdown: str = Field(description="put this in a post's text to show the image")
    width: int
    height: int
    content_type: str = Field(description="image/png, image/jpeg or image/webp")
    bytes: int = Field(description="the stored file's size")


# --- Schemas: notifications -----------------------------------------------------------------------
# /api/v1/notifications and /api/v1/threads/{id}/watch. Only the signed-in user's own.


class NotificationPublic(BaseModel):
    id: int
    kind: str = Field(
        description="reply, mention, solution, kudos, flag, case, case_pending, case_resolved,"
        " case_reply (a customer answered in a case assigned to you), survey, case_survey, badge"
        " or published (a moderator let your held post through)"
    )
    actor: AuthorRef | None
    thread_id: int | None
    post_id: int | None
    thread_title: str | None = Field(description="null once the thread or post is deleted")
    badge: str | None = Field(
        default=None, description='the badge earned, for kind "badge" (e.g. first_answer)'
    )
    flag_outcome: str | None = Field(
        default=None,
        description='for kind "flag": hidden (upheld, and the post was hidden), upheld (the post '
        "stays) or dismissed",
    )
    flag_kind: str | None = Field(
        default=None,
        description='for kind "flag": what you flagged the post for (spam, abuse, off_topic or'
        " needs_brand); null for flags resolved before notifications said",
    )
    post_number: int | None = Field(
        default=None,
        description='for kind "flag": the flagged post\'s number in its thread (1 is the question);'
        " null while you may not see the thread",
    )
    post_author: AuthorRef | None = Field(
        default=None,
        description='for kind "flag": who wrote the flagged post; null while you may not see the'
        " thread",
    )
    post_excerpt: str | None = Field(
        default=None,
        description='for kind "flag": the start of the flagged post\'s text, as plain text; null'
        " once you may no longer read it (hidden, deleted)",
    )
    created_at: datetime
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None
    unread_count: int


class NotificationsRead(BaseModel):
    marked: int = Field(description="how many notifications this call marked read")
    unread_count: int


class WatchPublic(BaseModel):
    thread_id: int
    watching: bool


class CategoryWatchPublic(BaseModel):
    category: str  # its slug
    watching: bool


# --- end of Schemas: notifications ----------------------------------------------------------------


# --- Schemas: leaderboard ------------------------------------------------------------------------
# GET /api/v1/leaderboard (community.leaderboard): the top members of a period and category.


class LeaderboardEntryPublic(BaseModel):
    rank_position: int = Field(description="1 for the top; members with equal values share one.")
    username: str
    display_name: str
    points: int = Field(description="Reputation points earned in the period and category.")
    solutions: int = Field(description="Accepted solutions in the period and category.")
    rank: str = Field(description="The member's rank by total reputation (newcomer ... expert).")


class LeaderboardPublic(BaseModel):
    items: list[LeaderboardEntryPublic]
    period: str = Field(description="week, month or all.")
    category: str | None = Field(description="The category's slug; null for every category.")
    by: str = Field(description="points or solutions: what the board is ordered by.")


# --- end of Schemas: leaderboard -----------------------------------------------------------------


# --- Schemas: reputation and badges (issue 6; community/api/accounts.py) -------------------------


class BadgePublic(BaseModel):
    badge: str = Field(examples=["first_solution"])
    label: str = Field(examples=["First solution"])
    awarded_at: datetime


class ReputationEntryPublic(BaseModel):
    """One row of a member's reputation ledger; a reversal names the row it undoes."""

    id: int
    points: int
    reason: str = Field(
        description="answer_kudos, question_kudos, answer_accepted, accepted_answer, rescue or "
        "flag_upheld (a reversal keeps its original's reason)."
    )
    post_id: int | None = Field(description="Null when the reader may not see the post.")
    thread_id: int | None = Field(description="Null when the reader may not see the thread.")
    created_at: datetime
    reverses_id: int | None


class ReputationList(BaseModel):
    items: list[ReputationEntryPublic]
    next_cursor: str | None


# --- Schemas: category editor (admins; community/api/categories.py) ----------------------------
# Types only: the service checks lengths and the address, and names the field at fault.


class CategoryCreate(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    name: str = Field(examples=["Fibre and ADSL"])
    slug: str = Field(
        description="the category's address (/c/<slug>): a-z, 0-9 and dashes, at most 60",
        examples=["fibra"],
    )
    description_it: str = Field(default="", description="at most 500 characters")
    description_en: str = Field(default="", description="at most 500 characters")
    position: int = Field(default=0, description="0 to 10000; lower comes first, then by name")


class CategoryUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: str | None = None
    slug: str | None = Field(default=None, description="a new address: the old one stops working")
    description_it: str | None = None
    description_en: str | None = None
    position: int | None = None


# --- end of Schemas: category editor -----------------------------------------------------------


UserPublic.model_rebuild()
MePublic.model_rebuild()
