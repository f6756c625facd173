"""Accounts in the JSON API: who am I, personal API tokens, public member profiles."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from community import accounts, i18n, params, profiles, ranks, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Invalid
from community.models import ApiToken, User
from community.params import TokenId
from community.policy import ensure_signed_in
from community.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenList,
    ApiTokenPublic,
    BadgePublic,
    MePublic,
    ReputationEntryPublic,
    ReputationList,
    UserPublic,
)

router = APIRouter(tags=["accounts"])

ReputationCursor = Annotated[
    str | None,
    Query(
        max_length=20, description="`next_cursor` of the previous page; leave out for the first."
    ),
]


def user_public(user: User, badges: list[BadgePublic] | None = None) -> UserPublic:
    return UserPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        member_since=user.created_at,
        answers=user.answer_count,
        solutions=user.solution_count,
        kudos_received=user.kudos_received,
        threads=user.thread_count,
        reputation=user.reputation,
        rank=ranks.rank_for(user.reputation).value,
        badges=badges or [],
    )


def badges_public(session: Session, request: Request, user: User) -> list[BadgePublic]:
    language = web.language_of(request)
    return [
        BadgePublic(
            badge=earned.badge,
            label=i18n.gettext(language, earned.label),
            awarded_at=earned.awarded_at,
        )
        for earned in profiles.earned_badges(session, user)
    ]


def entry_public(row: profiles.LedgerRow) -> ReputationEntryPublic:
    entry = row.entry
    assert entry.id is not None
    return ReputationEntryPublic(
        id=entry.id,
        points=entry.points,
        reason=entry.reason,
        post_id=row.post.id if row.post is not None else None,
        thread_id=row.thread.id if row.thread is not None else None,
        created_at=entry.created_at,
        reverses_id=entry.reverses_id,
    )


def token_public(api_token: ApiToken) -> ApiTokenPublic:
    assert api_token.id is not None
    return ApiTokenPublic(
        id=api_token.id,
        name=api_token.name,
        prefix=api_token.prefix,
        created_at=api_token.created_at,
        last_used_at=api_token.last_used_at,
    )


@router.get("/me", response_model=MePublic)
def me(request: Request, session: SessionDep, guardian: GuardianDep) -> MePublic:
    """The signed-in member (by bearer token or session cookie)."""
    ensure_signed_in(guardian)
    user = guardian.user
    assert user is not None and user.id is not None
    public = user_public(user, badges_public(session, request, user))
    return MePublic(
        id=user.id,
        email=user.email,
        email_confirmed=user.email_verified_at is not None,
        email_notifications=user.email_notifications,
        language=user.language,
        **dict(public),
    )


@router.get("/me/tokens", response_model=ApiTokenList)
def list_tokens(session: SessionDep, guardian: GuardianDep) -> ApiTokenList:
    """Your active personal API tokens (never the tokens themselves)."""
    items = [token_public(t) for t in accounts.list_api_tokens(session, guardian)]
    return ApiTokenList(items=items)


@router.post("/me/tokens", response_model=ApiTokenCreated, status_code=201)
def create_token(
    body: ApiTokenCreate, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ApiTokenCreated:
    """A new personal API token; the token appears in this response only."""
    api_token, token = accounts.create_api_token(session, guardian, name=body.name, clock=clock)
    assert api_token.id is not None
    return ApiTokenCreated(id=api_token.id, name=api_token.name, token=token)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: TokenId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    """Revoke one of your tokens: requests using it are no longer authenticated."""
    accounts.revoke_api_token(session, guardian, token_id, clock=clock)
    return Response(status_code=204)


@router.get("/users/{username}", response_model=UserPublic)
def user_profile(
    request: Request, username: str, session: SessionDep, _guardian: GuardianDep
) -> UserPublic:
    """A member's public profile: counts, reputation, rank and badges."""
    user = accounts.get_user_by_username(session, username)
    return user_public(user, badges_public(session, request, user))


@router.get("/users/{username}/reputation", response_model=ReputationList)
def user_reputation(
    username: str,
    session: SessionDep,
    guardian: GuardianDep,
    cursor: ReputationCursor = None,
) -> ReputationList:
    """A member's reputation ledger, newest first, 20 entries a page (keyset on the id).
    Entries about posts the reader may not see keep their points but not their post and thread."""
    user = accounts.get_user_by_username(session, username)
    page = profiles.ledger(session, guardian, user, before=_before(cursor))
    return ReputationList(
        items=[entry_public(row) for row in page.rows],
        next_cursor=str(page.next_cursor) if page.next_cursor is not None else None,
    )


def _before(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    before = params.parse_number(cursor)
    if before is None:
        raise Invalid("This cursor is not valid: use the next_cursor of a page.", field="cursor")
    return before
