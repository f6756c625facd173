"""Account services: sign up, log in, settings, roles and personal API tokens."""

from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from community import accounts
from community.clock import Clock
from community.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from community.events import OutboxEvent
from community.models import ApiToken, Role, User
from community.policy import Guardian, OperatorGuardian
from community.security import token_digest, verify_password
from community.settings import get_settings
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user

ANON = Guardian(None)


def sign_up(session: Session, clock: Clock, **overrides: str) -> User:
    fields = {
        "username": "Maria_87",
        "email": "Maria@Example.com",
        "display_name": "  Maria   Rossi ",
        "password": "a long enough password",
        "client_ip": "203.0.113.7",
    }
    fields.update(overrides)
    return accounts.sign_up(session, ANON, clock=clock, **fields)


def event_names(session: Session) -> list[str]:
    return [e.name for e in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))]


def user_count(session: Session) -> int:
    return len(session.exec(select(User)).all())


def test_sign_up_normalises_the_fields_and_records_the_event(session, clock):
    user = sign_up(session, clock)

    assert (user.username, user.email, user.display_name) == (
        "maria_87",
        "maria@example.com",
        "Maria Rossi",
    )
    assert user.role == Role.member
    assert user.created_at == clock.now()
    assert verify_password(user.password_hash, "a long enough password")
    event = session.exec(select(OutboxEvent)).one()
    # The language of the page, for the link that confirms the address (none here).
    assert (event.name, event.data) == ("user_signed_up", {"user_id": user.id, "language": None})
    assert user.email_verified_at is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": "maria rossi"}, "username"),
        ({"username": "maría"}, "username"),
        ({"email": "maria"}, "email"),
        ({"email": "maria@localhost"}, "email"),
        ({"email": "ma ria@example.com"}, "email"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"display_name": "Maria\x00"}, "display_name"),
        ({"display_name": "Maria\u202eissoR"}, "display_name"),
        ({"password": "short"}, "password"),
        ({"username": "maria_rossi_1", "password": "Maria_Rossi_1"}, "password"),
    ],
)
def test_sign_up_refuses_bad_input_naming_the_field(session, clock, overrides, field):
    with pytest.raises(Invalid) as caught:
        sign_up(session, clock, **overrides)

    assert caught.value.field == field
    assert user_count(session) == 0
    assert event_names(session) == []


def test_sign_up_refuses_a_taken_username_or_email_whatever_the_case(session, clock):
    sign_up(session, clock)

    with pytest.raises(Conflict) as by_name:
        sign_up(session, clock, username="MARIA_87", email="other@example.com")
    with pytest.raises(Conflict) as by_email:
        sign_up(session, clock, username="someone_else", email="MARIA@example.COM")

    assert (by_name.value.field, by_email.value.field) == ("username", "email")
    assert user_count(session) == 1


def test_sign_up_is_rate_limited_per_client_address(session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "signup_limit_per_hour", 2)
    sign_up(session, clock, username="one", email="one@example.com")
    sign_up(session, clock, username="two", email="two@example.com")

    with pytest.raises(RateLimited):
        sign_up(session, clock, username="three", email="three@example.com")
    sign_up(session, clock, username="four", email="four@example.com", client_ip="198.51.100.1")

    assert user_count(session) == 3


def test_refused_sign_ups_count_too_so_taken_addresses_cannot_be_probed(
    session, clock, monkeypatch
):
    monkeypatch.setattr(get_settings(), "signup_attempts_per_hour", 3)
    make_user(session, clock, username="luca")
    for n in range(3):
        with pytest.raises(Conflict):
            sign_up(session, clock, username=f"probe{n}", email="luca@example.com")

    with pytest.raises(RateLimited):
        sign_up(session, clock, username="probe", email="someone@example.com")
    sign_up(session, clock, username="other", email="other@example.com", client_ip="198.51.100.1")


def test_authenticate_by_username_or_email(session, clock):
    user = make_user(session, clock, username="luca")

    by_name = accounts.authenticate(session, login=" LUCA ", password=PASSWORD, client_ip="ip")
    by_mail = accounts.authenticate(
        session, login="Luca@Example.com", password=PASSWORD, client_ip="ip"
    )

    assert by_name.id == by_mail.id == user.id


@pytest.mark.parametrize(
    ("login", "password"),
    [("luca", "wrong password"), ("nobody", PASSWORD), ("nobody@example.com", PASSWORD)],
)
def test_authenticate_gives_one_message_for_every_miss(session, clock, login, password):
    make_user(session, clock, username="luca")

    with pytest.raises(Invalid) as caught:
        accounts.authenticate(session, login=login, password=password, client_ip="ip")

    assert caught.value.message == "Wrong username, email or password."
    assert caught.value.field is None


def test_authenticate_refuses_deactivated_accounts(session, clock):
    user = make_user(session, clock, username="gone")
    user.is_active = False
    session.add(user)
    session.commit()

    with pytest.raises(Invalid):
        accounts.authenticate(session, login="gone", password=PASSWORD, client_ip="ip")


def test_authenticate_upgrades_an_outdated_password_hash(session, clock):
    user = make_user(session, clock, username="old")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=512).hash(PASSWORD)
    session.add(user)
    session.commit()
    old_hash = user.password_hash

    accounts.authenticate(session, login="old", password=PASSWORD, client_ip="ip")

    session.refresh(user)
    assert user.password_hash != old_hash
    assert verify_password(user.password_hash, PASSWORD)


def test_authenticate_is_rate_limited_per_address_and_per_username(session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_limit_per_15min", 2)
    make_user(session, clock, username="luca")
    for _ in range(2):
        with pytest.raises(Invalid):
            accounts.authenticate(session, login="luca", password="nope", client_ip="a")

    with pytest.raises(RateLimited):  # same address, another name
        accounts.authenticate(session, login="other", password="nope", client_ip="a")
    with pytest.raises(RateLimited):  # same name, another address: the right password is refused
        accounts.authenticate(session, login="luca", password=PASSWORD, client_ip="b")


def test_change_password_moves_the_session_epoch_on(session, clock):
    user = make_user(session, clock)

    accounts.change_password(
        session,
        Guardian(user),
        user,
        current_password=PASSWORD,
        new_password="a brand new secret",
        new_password_confirm="a brand new secret",
        clock=clock,
    )

    assert user.session_epoch == 1
    assert verify_password(user.password_hash, "a brand new secret")
    assert event_names(session) == ["user_updated", "password_changed"]  # and a notice by mail


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field"),
    [
        ("not my password", "a brand new secret", "a brand new secret", "current_password"),
        (PASSWORD, "short", "short", "new_password"),
        (PASSWORD, PASSWORD, PASSWORD, "new_password"),
        (PASSWORD, "a brand new secret", "a brand new secrte", "new_password_confirm"),
    ],
)
def test_change_password_refuses(session, clock, current, new, confirm, field):
    user = make_user(session, clock)

    with pytest.raises(Invalid) as caught:
        accounts.change_password(
            session,
            Guardian(user),
            user,
            current_password=current,
            new_password=new,
            new_password_confirm=confirm,
            clock=clock,
        )

    assert caught.value.field == field
    session.refresh(user)
    assert user.session_epoch == 0
    assert verify_password(user.password_hash, PASSWORD)


def test_only_the_owner_edits_an_account(session, clock):
    user, other = make_user(session, clock), make_user(session, clock)

    with pytest.raises(Forbidden):
        accounts.update_profile(
            session,
            Guardian(other),
            user,
            display_name="Hacked",
            language=None,
            time_zone=None,
            clock=clock,
        )

    accounts.update_profile(
        session,
        Guardian(user),
        user,
        display_name=" New  name ",
        language="en",
        time_zone="America/New_York",
        clock=clock,
    )
    assert (user.display_name, user.language) == ("New name", "en")
    assert user.time_zone == "America/New_York"


def test_update_profile_refuses_an_unknown_language_or_time_zone_and_changes_nothing(
    session, clock
):
    user = make_user(session, clock)
    name = user.display_name

    with pytest.raises(Invalid) as caught:
        accounts.update_profile(
            session,
            Guardian(user),
            user,
            display_name="Other",
            language="xx",
            time_zone="Mars/Olympus",
            clock=clock,
        )

    assert caught.value.field == "language"
    assert [problem.field for problem in caught.value.also] == ["time_zone"]
    assert user.display_name == name
    assert user.time_zone is None


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("auto", None), ("EN", "en")])
def test_set_language(session, clock, raw, expected):
    user = make_user(session, clock, language="it")

    accounts.set_language(session, Guardian(user), user, language=raw, clock=clock)

    assert user.language == expected


def role_events(session: Session) -> list[dict[str, Any]]:
    query = select(OutboxEvent).where(OutboxEvent.name == "user_role_changed")
    return [e.data for e in session.exec(query)]


def test_an_admin_grants_and_revokes_the_moderator_role(session, clock):
    admin = make_user(session, clock, role=Role.admin)
    member = make_user(session, clock)

    accounts.grant_moderator(session, Guardian(admin), member, clock=clock)
    assert member.role == Role.moderator
    accounts.grant_moderator(session, Guardian(admin), member, clock=clock)  # no-op
    accounts.revoke_moderator(session, Guardian(admin), member, clock=clock)

    assert member.role == Role.member
    assert role_events(session) == [
        {"user_id": member.id, "role": "moderator", "previous_role": "member", "by_id": admin.id},
        {"user_id": member.id, "role": "member", "previous_role": "moderator", "by_id": admin.id},
    ]


@pytest.mark.parametrize("role", [Role.member, Role.moderator])
def test_only_admins_change_roles(session, clock, role):
    actor = make_user(session, clock, role=role)
    member = make_user(session, clock)

    with pytest.raises(Forbidden):
        accounts.grant_moderator(session, Guardian(actor), member, clock=clock)
    assert member.role == Role.member


def test_an_admin_cannot_change_their_own_role(session, clock):
    admin = make_user(session, clock, role=Role.admin)

    with pytest.raises(Forbidden):
        accounts.revoke_moderator(session, Guardian(admin), admin, clock=clock)


def test_the_operator_changes_roles_but_leaves_admins_alone(session, clock):
    member = make_user(session, clock)
    admin = make_user(session, clock, role=Role.admin)

    accounts.grant_moderator(session, OperatorGuardian(), member, clock=clock)
    with pytest.raises(Invalid):
        accounts.revoke_moderator(session, OperatorGuardian(), admin, clock=clock)

    assert member.role == Role.moderator
    assert admin.role == Role.admin
    assert role_events(session) == [
        {"user_id": member.id, "role": "moderator", "previous_role": "member", "by_id": None}
    ]


def test_create_admin_needs_the_operator(session, clock):
    admin = make_user(session, clock, role=Role.admin)
    with pytest.raises(Forbidden):
        accounts.create_admin(
            session,
            Guardian(admin),
            username="boss",
            email="boss@example.com",
            password=PASSWORD,
            clock=clock,
        )

    boss = accounts.create_admin(
        session,
        OperatorGuardian(),
        username="boss",
        email="boss@example.com",
        password=PASSWORD,
        clock=clock,
    )
    assert boss.role == Role.admin


def test_api_tokens_are_stored_as_digests_listed_and_revoked(session, clock):
    user, other = make_user(session, clock), make_user(session, clock)
    guardian = Guardian(user)

    first, secret = accounts.create_api_token(session, guardian, name=" backup ", clock=clock)
    clock.advance(minutes=1)
    second, _ = accounts.create_api_token(session, guardian, name="phone", clock=clock)
    assert first.id is not None

    assert first.token_hash == token_digest(secret)
    assert secret not in {first.token_hash, first.prefix}
    assert secret.startswith(first.prefix)
    assert first.name == "backup"
    assert accounts.list_api_tokens(session, guardian) == [second, first]
    with pytest.raises(NotFound):  # nobody revokes someone else's token
        accounts.revoke_api_token(session, Guardian(other), first.id, clock=clock)

    accounts.revoke_api_token(session, guardian, first.id, clock=clock)

    assert accounts.list_api_tokens(session, guardian) == [second]
    with pytest.raises(NotFound):
        accounts.revoke_api_token(session, guardian, first.id, clock=clock)
    assert event_names(session)[-1] == "api_token_revoked"


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_api_token_needs_a_name(session, clock, name):
    user = make_user(session, clock)

    with pytest.raises(Invalid):
        accounts.create_api_token(session, Guardian(user), name=name, clock=clock)

    assert session.exec(select(ApiToken)).all() == []


def test_touching_a_token_writes_at_most_once_a_minute(session, clock):
    user = make_user(session, clock)
    api_token, _ = accounts.create_api_token(session, Guardian(user), name="t", clock=clock)
    first_use = clock.now()

    accounts.touch_api_token(session, api_token, now=first_use)
    accounts.touch_api_token(session, api_token, now=first_use + timedelta(seconds=30))
    session.refresh(api_token)
    assert api_token.last_used_at == first_use

    later = first_use + timedelta(seconds=61)
    accounts.touch_api_token(session, api_token, now=later)
    session.refresh(api_token)
    assert api_token.last_used_at == later


def test_recent_posts_are_the_latest_visible_ones(session, clock):
    asker, helper = make_user(session, clock), make_user(session, clock)
    category = make_category(session)
    thread = make_thread(session, clock, author=asker, category=category, title="Router lights")
    clock.advance(minutes=1)
    answer = make_reply(session, clock, author=helper, thread=thread)
    clock.advance(minutes=1)
    deleted = make_reply(session, clock, author=helper, thread=thread, body="Oops, wrong thread")
    deleted.deleted_at = clock.now()
    session.add(deleted)
    session.commit()

    items = accounts.recent_posts(session, helper)

    assert [(item.post.id, item.thread.title) for item in items] == [(answer.id, "Router lights")]
    assert [item.post.is_question for item in accounts.recent_posts(session, asker)] == [True]


def test_unknown_or_deactivated_usernames_are_not_found(session, clock):
    user = make_user(session, clock, username="gone")
    assert accounts.get_user_by_username(session, "GONE").id == user.id
    user.is_active = False
    session.add(user)
    session.commit()

    for name in ("gone", "nobody"):
        with pytest.raises(NotFound):
            accounts.get_user_by_username(session, name)
