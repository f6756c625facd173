"""Account pages, the accounts API and the operator commands, as a user or operator sees them."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from community import cli
from community.events import OutboxEvent
from community.models import ApiToken, Role, User
from community.security import verify_password
from community.settings import get_settings
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login

NEW_PASSWORD = "another long password"


def signup_form(client: TestClient, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_token(client),
        "username": "Giulia_B",
        "email": "giulia@example.com",
        "display_name": "Giulia B.",
        "password": "a long enough password",
    }
    data.update(overrides)
    return data


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', page)
    assert match is not None, f"no error shown next to {field}"
    return html.unescape(match.group(1))


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([a-z]+)"', page)
    assert match is not None
    return match.group(1)


def is_signed_in(client: TestClient) -> bool:
    status: int = client.get("/settings", follow_redirects=False).status_code
    return status == 200


def users(session: Session) -> list[User]:
    session.expire_all()
    return list(session.exec(select(User)).all())


# Sign up ---------------------------------------------------------------------------------------


def test_sign_up_creates_the_account_and_signs_in(client, session):
    assert client.get("/signup").status_code == 200

    response = client.post(
        "/signup", data=signup_form(client, next="/settings"), follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    (user,) = users(session)
    assert (user.username, user.display_name) == ("giulia_b", "Giulia B.")
    assert [e.name for e in session.exec(select(OutboxEvent))] == ["user_signed_up"]
    page = client.get("/settings").text
    assert "Giulia B." in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "g!"}, "username", "Usernames have 3 to 30 characters"),
        ({"email": "giulia-at-example"}, "email", "Enter a valid email address"),
        ({"display_name": " "}, "display_name", "Choose a display name."),
        ({"password": "tooshort"}, "password", "at least 10 characters"),
        ({"password": "Giulia_B"}, "password", "at least 10 characters"),
        ({"username": "giulia_bb", "password": "GIULIA_BB "}, "password", "not be your username"),
    ],
)
def test_sign_up_with_bad_input_shows_the_message_next_to_the_field(
    client, session, overrides, field, message
):
    data = signup_form(client, **overrides)

    response = client.post("/signup", data=data)

    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert 'value="giulia@example.com"' in response.text or field == "email"  # input kept
    assert "a long enough password" not in response.text  # passwords are never echoed
    assert users(session) == []
    assert not is_signed_in(client)


def test_sign_up_with_missing_fields_explains_instead_of_failing(client, session):
    response = client.post("/signup", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 422
    assert field_error(response.text, "username")
    assert users(session) == []


def test_sign_up_with_a_taken_username_or_email(client, session, clock):
    make_user(session, clock, username="giulia_b")

    taken_name = client.post("/signup", data=signup_form(client, email="new@example.com"))
    taken_mail = client.post(
        "/signup",
        data=signup_form(client, username="giulia2", email="GIULIA_B@example.com"),
    )

    assert taken_name.status_code == taken_mail.status_code == 409
    assert field_error(taken_name.text, "username") == "This username is already taken."
    assert "already exists" in field_error(taken_mail.text, "email")
    assert len(users(session)) == 1


def test_sign_up_shows_every_field_problem_at_once(client, session, clock):
    make_user(session, clock, username="giulia_b")

    response = client.post(
        "/signup",
        data=signup_form(client, email="not-an-address", display_name="", password="short"),
    )

    assert response.status_code == 422
    assert field_error(response.text, "username") == "This username is already taken."
    assert "valid email address" in field_error(response.text, "email")
    assert field_error(response.text, "display_name") == "Choose a display name."
    assert "at least 10 characters" in field_error(response.text, "password")
    assert len(users(session)) == 1


def test_sign_up_names_both_a_taken_username_and_a_taken_email(client, session, clock):
    make_user(session, clock, username="giulia_b")
    make_user(session, clock, username="marco")

    response = client.post(
        "/signup", data=signup_form(client, username="GIULIA_B", email="Marco@example.com")
    )

    assert response.status_code == 409
    assert field_error(response.text, "username") == "This username is already taken."
    assert "already exists" in field_error(response.text, "email")


def test_sign_up_is_rate_limited(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "signup_limit_per_hour", 1)
    client.post("/signup", data=signup_form(client), follow_redirects=False)
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    response = client.post(
        "/signup", data=signup_form(client, username="second", email="second@example.com")
    )

    assert response.status_code == 429
    assert "Too many sign-ups" in response.text
    assert 'value="second"' in response.text
    assert len(users(session)) == 1


# Log in and out --------------------------------------------------------------------------------


def test_log_in_with_username_or_email_then_log_out(client, session, clock):
    make_user(session, clock, username="marco")

    response = login(client, "marco")
    assert response.headers["location"] == "/"
    assert is_signed_in(client)

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert not is_signed_in(client)

    login(client, "MARCO@example.com")
    assert is_signed_in(client)


def test_log_in_rotates_the_csrf_token(client, session, clock):
    make_user(session, clock, username="marco")
    before = csrf_token(client)

    login(client, "marco")

    assert csrf_token(client) != before


@pytest.mark.parametrize(
    ("username", "password"), [("marco", "not the password"), ("nobody", PASSWORD)]
)
def test_wrong_credentials_give_one_generic_message(client, session, clock, username, password):
    make_user(session, clock, username="marco")

    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "username": username, "password": password},
    )

    assert response.status_code == 422
    assert "Wrong username, email or password." in response.text
    assert f'value="{username}"' in response.text
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("next_param", "location"),
    [
        ("/settings?tab=1", "/settings?tab=1"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_log_in_goes_back_only_to_pages_of_this_site(client, session, clock, next_param, location):
    make_user(session, clock, username="marco")
    page = client.get("/login", params={"next": next_param}).text
    hidden = re.search(r'action="/login".*?name="next" value="([^"]*)"', page, re.S)
    assert hidden is not None and html.unescape(hidden.group(1)) == location

    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client),
            "username": "marco",
            "password": PASSWORD,
            "next": next_param,
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == location


def test_settings_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/settings", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings"


def test_login_is_rate_limited(client, session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_limit_per_15min", 3)
    make_user(session, clock, username="marco")
    token = csrf_token(client)
    for _ in range(3):
        client.post("/login", data={"csrf_token": token, "username": "marco", "password": "x"})

    response = client.post(
        "/login", data={"csrf_token": token, "username": "marco", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "Too many login attempts" in response.text
    assert not is_signed_in(client)


# CSRF ------------------------------------------------------------------------------------------


def test_forms_without_the_csrf_token_are_refused(client, session, clock):
    user = make_user(session, clock, username="marco")
    login(client, user)

    for path, data in [
        ("/logout", {}),
        ("/settings/profile", {"display_name": "Forged"}),
        ("/language", {"language": "en"}),
    ]:
        assert client.post(path, data=data).status_code == 403

    assert is_signed_in(client)
    session.refresh(user)
    assert user.display_name == "Marco"
    assert user.language is None


def test_login_form_without_the_csrf_token_is_refused(client, session, clock):
    make_user(session, clock, username="marco")

    response = client.post("/login", data={"username": "marco", "password": PASSWORD})

    assert response.status_code == 403
    assert not is_signed_in(client)


def test_json_requests_riding_on_the_session_cookie_need_the_csrf_header(client, session, clock):
    login(client, make_user(session, clock))

    refused = client.post("/api/v1/me/tokens", json={"name": "script"})
    accepted = client.post(
        "/api/v1/me/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf_token(client)}
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 201
    assert len(session.exec(select(ApiToken)).all()) == 1


# Password change -------------------------------------------------------------------------------


def test_changing_the_password_logs_out_other_sessions_but_not_this_one(
    app, client, session, clock
):
    user = make_user(session, clock, username="marco")
    with TestClient(app, base_url="https://testserver") as laptop:
        login(laptop, user)
        login(client, user)

        response = client.post(
            "/settings/password",
            data={
                "csrf_token": csrf_token(client),
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
            follow_redirects=False,
        )

        assert response.headers["location"] == "/settings?saved=password"
        assert is_signed_in(client)
        assert not is_signed_in(laptop)
    session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert "Other devices have been logged out" in client.get("/settings?saved=password").text


def test_password_change_with_the_wrong_current_password(client, session, clock):
    user = make_user(session, clock)
    login(client, user)

    response = client.post(
        "/settings/password",
        data={
            "csrf_token": csrf_token(client),
            "current_password": "guess guess guess",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 422
    assert field_error(response.text, "current_password") == "Your current password is not correct."
    session.refresh(user)
    assert user.session_epoch == 0


# Profile settings and language -----------------------------------------------------------------


def test_settings_saves_display_name_and_language(client, session, clock):
    user = make_user(session, clock)
    login(client, user)

    response = client.post(
        "/settings/profile",
        data={"csrf_token": csrf_token(client), "display_name": " Marco P. ", "language": "en"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/settings?saved=profile"
    page = client.get("/settings?saved=profile").text
    assert html_lang(page) == "en"
    assert "Your profile has been saved." in page
    session.refresh(user)
    assert (user.display_name, user.language) == ("Marco P.", "en")


def test_settings_shows_errors_next_to_the_field(client, session, clock):
    user = make_user(session, clock)
    login(client, user)

    response = client.post(
        "/settings/profile",
        data={"csrf_token": csrf_token(client), "display_name": "x" * 61, "language": ""},
    )

    assert response.status_code == 422
    assert "at most 60 characters" in field_error(response.text, "display_name")
    assert f'value="{"x" * 61}"' in response.text


def test_anonymous_visitors_switch_language_for_their_session(client):
    headers = {"Accept-Language": "it-IT,it;q=0.9"}
    assert html_lang(client.get("/login", headers=headers).text) == "it"

    response = client.post(
        "/language",
        data={"csrf_token": csrf_token(client), "language": "en", "next": "/signup"},
        headers=headers,
        follow_redirects=False,
    )

    assert response.headers["location"] == "/signup"
    assert html_lang(client.get("/login", headers=headers).text) == "en"
    client.post("/language", data={"csrf_token": csrf_token(client), "language": ""})
    assert html_lang(client.get("/login", headers=headers).text) == "it"


def test_switching_language_comes_back_to_the_same_search(client):
    page = client.get("/search?q=modem+lento&solved=true").text
    forms = re.findall(r'<form method="post" action="/language".*?</form>', page, flags=re.S)
    assert forms  # in the header menu and the footer
    for form in forms:
        (back,) = re.findall(r'name="next" value="([^"]*)"', form)
        assert back == "/search?q=modem+lento&amp;solved=true"

    response = client.post(
        "/language",
        data={"csrf_token": csrf_token(client), "language": "en", "next": html.unescape(back)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/search?q=modem+lento&solved=true"


def test_switching_language_on_a_form_shown_again_with_its_errors_returns_to_the_form(
    client, session, clock
):
    """The form's own address takes only POST: coming back there would be an error page."""
    login(client, make_user(session, clock))
    form_page = f"{client.base_url}/settings"
    response = client.post(
        "/settings/profile",
        data={"csrf_token": csrf_token(client), "display_name": "x" * 61, "language": "it"},
        headers={"Referer": form_page},
    )
    assert response.status_code == 422
    backs = set(
        re.findall(r'action="/language".*?name="next" value="([^"]*)"', response.text, re.S)
    )
    assert backs == {"/settings"}

    elsewhere = client.post(
        "/settings/profile",
        data={"csrf_token": csrf_token(client), "display_name": "x" * 61, "language": "it"},
        headers={"Referer": "https://evil.example/settings"},
    )
    backs = set(
        re.findall(r'action="/language".*?name="next" value="([^"]*)"', elsewhere.text, re.S)
    )
    assert backs == {"/"}


def test_signed_in_members_switch_language_in_their_account(client, session, clock):
    user = make_user(session, clock, language="it")
    login(client, user)

    client.post(
        "/language",
        data={"csrf_token": csrf_token(client), "language": "en", "next": "https://evil.example"},
        follow_redirects=False,
    )

    assert html_lang(client.get("/settings").text) == "en"
    session.refresh(user)
    assert user.language == "en"


def test_an_unknown_language_is_refused(client):
    response = client.post("/language", data={"csrf_token": csrf_token(client), "language": "xx"})

    assert response.status_code == 422


# API tokens ------------------------------------------------------------------------------------


def test_tokens_are_created_shown_once_used_and_revoked(client, session, clock):
    user = make_user(session, clock, username="marco")
    login(client, user)

    page = client.post(
        "/settings/tokens", data={"csrf_token": csrf_token(client), "name": "backup script"}
    ).text
    token = re.search(r'value="(pdk_[^"]+)"', page)
    assert token is not None
    secret = token.group(1)
    assert "backup script" in page
    assert secret not in client.get("/settings").text  # shown once only

    bearer = TestClient(client.app, base_url="https://testserver")
    me = bearer.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["username"] == "marco"
    api_token = session.exec(select(ApiToken)).one()
    session.refresh(api_token)
    assert api_token.last_used_at == clock.now()
    assert secret[:12] in client.get("/settings").text

    revoke = client.post(
        f"/settings/tokens/{api_token.id}/revoke",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert revoke.status_code == 303

    assert (
        bearer.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )
    assert "You have no API tokens." in client.get("/settings").text


def test_token_form_with_htmx_returns_the_token_section(client, session, clock):
    login(client, make_user(session, clock))
    headers = {"HX-Request": "true"}

    created = client.post(
        "/settings/tokens", data={"csrf_token": csrf_token(client), "name": "ci"}, headers=headers
    )
    missing = client.post(
        "/settings/tokens", data={"csrf_token": csrf_token(client), "name": " "}, headers=headers
    )

    assert created.text.lstrip().startswith('<section class="card" id="api-tokens">')
    assert "<html" not in created.text
    assert missing.status_code == 422
    assert "Give the token a name" in field_error(missing.text, "token-name")


def test_api_token_lifecycle(client, session, clock):
    user = make_user(session, clock, username="marco")
    login(client, user)
    created = client.post(
        "/api/v1/me/tokens", json={"name": "cron"}, headers={"X-CSRF-Token": csrf_token(client)}
    ).json()
    auth = {"Authorization": f"Bearer {created['token']}"}
    api = TestClient(client.app, base_url="https://testserver")

    listed = api.get("/api/v1/me/tokens", headers=auth).json()
    assert [t["name"] for t in listed["items"]] == ["cron"]
    assert "token" not in listed["items"][0]
    me = api.get("/api/v1/me", headers=auth).json()
    assert me["email"] == "marco@example.com"
    assert me["role"] == "member"

    assert api.delete(f"/api/v1/me/tokens/{created['id']}", headers=auth).status_code == 204
    assert api.get("/api/v1/me", headers=auth).status_code == 401
    assert api.delete("/api/v1/me/tokens/99999", headers=auth).status_code == 401


def test_api_refuses_anonymous_and_bad_token_requests(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    forged = client.post(
        "/api/v1/me/tokens", json={"name": "x"}, headers={"Authorization": "Bearer x"}
    )
    assert forged.status_code == 401
    assert forged.json()["detail"]


# Public profile --------------------------------------------------------------------------------


def test_profile_shows_counts_role_and_recent_activity(client, session, clock):
    moderator = make_user(session, clock, username="anna", role=Role.moderator)
    asker = make_user(session, clock)
    thread = make_thread(
        session, clock, author=asker, category=make_category(session), title="Router keeps blinking"
    )
    make_reply(session, clock, author=moderator, thread=thread)
    session.refresh(moderator)
    moderator.answer_count, moderator.solution_count = 12, 3
    moderator.kudos_received, moderator.thread_count = 1234, 2
    session.add(moderator)
    session.commit()

    page = client.get("/u/anna", headers={"Accept-Language": "en"}).text

    assert "Staff" in page
    assert "Member since Jan 15, 2026" in page
    for shown in ("12</dt>", "3</dt>", "1,234</dt>", "2</dt>", "Router keeps blinking"):
        assert shown in page
    assert f"/t/{thread.id}#post-" in page
    italian = client.get("/u/anna", headers={"Accept-Language": "it"}).text
    assert "Membro dal 15 gen 2026" in italian


def test_profile_api(client, session, clock):
    make_user(session, clock, username="anna", role=Role.moderator)

    body = client.get("/api/v1/users/ANNA").json()

    assert body == {
        "username": "anna",
        "display_name": "Anna",
        "role": "moderator",
        "member_since": "2026-01-15T09:00:00Z",
        "answers": 0,
        "solutions": 0,
        "kudos_received": 0,
        "threads": 0,
        "reputation": 0,
        "rank": "newcomer",
        "badges": [],
    }


def test_unknown_profiles_are_404(client):
    page = client.get("/u/nobody")
    api = client.get("/api/v1/users/nobody")

    assert page.status_code == api.status_code == 404
    assert "There is no member called nobody." in page.text
    assert api.json()["detail"] == "There is no member called nobody."


def test_display_names_are_rendered_inert(client, session, clock):
    user = make_user(session, clock, username="mallory")
    user.display_name = "<img src=x onerror=alert(1)>"
    session.add(user)
    session.commit()

    page = client.get("/u/mallory").text
    login(client, user)
    own_pages = client.get("/settings").text + client.get("/u/mallory").text

    for text in (page, own_pages):
        assert "<img src=x" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text


# Operator commands -----------------------------------------------------------------------------


@pytest.fixture
def runner(db, database_url, monkeypatch):
    """A CLI runner whose commands open the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    monkeypatch.delenv("DATABASE_URL")
    get_settings.cache_clear()


def test_cli_creates_an_admin_with_a_generated_password(runner, session):
    result = runner.invoke(cli.app, ["create-admin", "Boss", "--email", "boss@example.com"])

    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output)
    assert password is not None
    (admin,) = users(session)
    assert (admin.username, admin.role) == ("boss", Role.admin)
    assert verify_password(admin.password_hash, password.group(1))


def test_cli_create_admin_with_a_password_and_its_errors(runner, session):
    ok = runner.invoke(
        cli.app, ["create-admin", "boss", "--email", "b@example.com", "--password", PASSWORD]
    )
    again = runner.invoke(
        cli.app, ["create-admin", "boss", "--email", "c@example.com", "--password", PASSWORD]
    )
    weak = runner.invoke(
        cli.app, ["create-admin", "boss2", "--email", "d@example.com", "--password", "x"]
    )

    assert ok.exit_code == 0
    assert "password:" not in ok.output
    assert again.exit_code == weak.exit_code == 1
    assert "This username is already taken." in again.output
    assert "at least 10 characters" in weak.output
    assert len(users(session)) == 1


def test_cli_grants_and_revokes_the_moderator_role(runner, session, clock):
    make_user(session, clock, username="anna")

    granted = runner.invoke(cli.app, ["grant-moderator", "anna"])
    assert granted.exit_code == 0, granted.output
    assert users(session)[0].role == Role.moderator
    revoked = runner.invoke(cli.app, ["revoke-moderator", "anna"])
    assert revoked.exit_code == 0, revoked.output
    assert users(session)[0].role == Role.member
    missing = runner.invoke(cli.app, ["grant-moderator", "nobody"])
    assert missing.exit_code == 1
    assert "There is no member called nobody." in missing.output

    query = select(OutboxEvent).where(OutboxEvent.name == "user_role_changed")
    assert [e.data["role"] for e in session.exec(query)] == ["moderator", "member"]


def test_cli_token_authenticates_api_requests(runner, client, session, clock):
    make_user(session, clock, username="anna")

    result = runner.invoke(cli.app, ["token", "anna", "--name", "monitoring"])

    assert result.exit_code == 0, result.output
    token = result.output.strip()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "anna"
    assert session.exec(select(ApiToken)).one().name == "monitoring"


@pytest.mark.parametrize(
    ("command", "summary"),
    [
        ("create-admin", "Create an administrator account."),
        ("grant-moderator", "Make a member a moderator (staff)."),
        ("revoke-moderator", "Take the moderator role away from a member."),
        ("token", "Create a personal API token for a member"),
    ],
)
def test_cli_commands_explain_themselves(command, summary):
    result = CliRunner().invoke(cli.app, [command, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    assert summary in result.output
    assert "username" in result.output.lower()
