"""FastAPI dependencies shared by the HTML routes and the JSON API."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlmodel import Session, col

from community import accounts, i18n
from community.clock import Clock
from community.models import ApiToken, Notification, User
from community.policy import Guardian
from community.security import token_digest
from community.settings import CommunitySettings, get_settings

SESSION_USER_KEY = "uid"
SESSION_EPOCH_KEY = "epoch"


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        request.state.db = session
        yield session


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[CommunitySettings, Depends(get_settings)]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def get_current_user(request: Request, session: SessionDep, clock: ClockDep) -> User | None:
    token = _bearer_token(request)
    if token is not None:
        api_token = session.scalars(
            select(ApiToken).where(col(ApiToken.token_hash) == token_digest(token))
        ).first()
        if api_token is None or api_token.revoked_at is not None:
            return None
        user = session.get(User, api_token.user_id)
        if user is None or not user.is_active:
            return None
        accounts.touch_api_token(session, api_token, now=clock.now())
        return user
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if request.session.get(SESSION_EPOCH_KEY) != user.session_epoch:
        return None
    return user


CurrentUserDep = Annotated[User | None, Depends(get_current_user)]


def get_guardian(
    request: Request,
    user: CurrentUserDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Guardian:
    guardian = Guardian(user, now=clock.now())
    request.state.guardian = guardian
    request.state.now = clock.now()
    request.state.language = i18n.negotiate(
        user_language=user.language if user else request.session.get("lang"),
        accept_language=request.headers.get("accept-language"),
        supported=settings.languages,
        default=settings.default_language,
    )
    request.state.time_zone = i18n.zone(user.time_zone if user else None, settings.time_zone)
    if user is not None:
        request.state.unread_count = unread_notifications(session, user)
    return guardian


def unread_notifications(session: Session, user: User) -> int:
    query = select(func.count()).where(
        col(Notification.user_id) == user.id,
        col(Notification.read_at).is_(None),
    )
    return int(session.scalar(query) or 0)


GuardianDep = Annotated[Guardian, Depends(get_guardian)]
