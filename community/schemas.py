"""Request and response shapes of the JSON API, one section per area."""

from datetime import datetime

from pydantic import BaseModel, Field

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


class MePublic(UserPublic):
    """The signed-in member, with the private fields only they see (GET /api/v1/me)."""

    id: int
    email: str
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


# --- Schemas: notifications -----------------------------------------------------------------------
# /api/v1/notifications and /api/v1/threads/{id}/watch. Only the signed-in user's own.


class NotificationActor(BaseModel):
    id: int
    username: str
    display_name: str


class NotificationPublic(BaseModel):
    id: int
    kind: str = Field(description="reply, mention, solution or kudos")
    actor: NotificationActor | None
    thread_id: int | None
    post_id: int | None
    thread_title: str | None = Field(description="null once the thread or post is deleted")
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


# --- end of Schemas: notifications ----------------------------------------------------------------
