"""Accounts in the JSON API: who am I, personal API tokens, public member profiles."""

from fastapi import APIRouter, Response

from community import accounts
from community.deps import ClockDep, GuardianDep, SessionDep
from community.models import ApiToken, User
from community.params import TokenId
from community.policy import ensure_signed_in
from community.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenList,
    ApiTokenPublic,
    MePublic,
    UserPublic,
)

router = APIRouter(tags=["accounts"])


def user_public(user: User) -> UserPublic:
    return UserPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        member_since=user.created_at,
        answers=user.answer_count,
        solutions=user.solution_count,
        kudos_received=user.kudos_received,
        threads=user.thread_count,
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
def me(guardian: GuardianDep) -> MePublic:
    """The signed-in member (by bearer token or session cookie)."""
    ensure_signed_in(guardian)
    user = guardian.user
    assert user is not None and user.id is not None
    return MePublic(
        id=user.id, email=user.email, language=user.language, **user_public(user).model_dump()
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
def user_profile(username: str, session: SessionDep, _guardian: GuardianDep) -> UserPublic:
    """A member's public profile and counts."""
    return user_public(accounts.get_user_by_username(session, username))
