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
