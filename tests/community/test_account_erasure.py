"""Deleting an account, as the member and an administrator see it: the person's data is gone and
the account can never be used again, while their answers keep helping under a pseudonym."""

import json

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from community import (
    account_erasure,
    accounts,
    bookmarks,
    email_confirmation,
    kudos,
    password_reset,
    watching,
)
from community.cli import app as cli_app
from community.errors import Forbidden, Invalid, RateLimited
from community.events import OutboxEvent
from community.models import (
    ApiToken,
    Bookmark,
    EmailConfirmation,
    Notification,
    Post,
    Role,
    Thread,
    User,
    Watch,
)
from community.policy import Guardian, OperatorGuardian
from community.settings import get_settings
from tests.conftest import Mailbox, drain
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.helpers import login
from tests.mail_helpers import run_mailer
from tests.moderation.brand_helpers import client_for, submit


def reload(session: Session, user_id: int | None) -> User:
    session.expire_all()
    found = session.get(User, user_id)
    assert found is not None
    return found


@pytest.fixture
def giulia(session, clock) -> User:
    return make_user(session, clock, username="giulia")


def test_a_member_deletes_their_account_from_the_settings(app, session, clock, giulia):
    category = make_category(session)
    thread = make_thread(session, clock, author=giulia, category=category, title="Modem lento")
    helper = make_user(session, clock, username="luca")
    reply = make_reply(session, clock, author=helper, thread=thread, body="Riavvia il modem.")
    other_device = client_for(app, giulia)
    browser = client_for(app, giulia)
    page = browser.get("/settings").text
    assert "Delete your account" in page
    assert f"anon_{giulia.id}" in page

    response = submit(browser, "/settings/delete-account", {"erase_password": PASSWORD})

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "Your account has been deleted." in browser.get("/").text
    assert browser.get("/settings", follow_redirects=False).status_code in (302, 303)
    assert other_device.get("/settings", follow_redirects=False).status_code in (302, 303)
    gone = reload(session, giulia.id)
    assert gone.username == gone.display_name == f"anon_{giulia.id}"
    assert "giulia" not in gone.email and gone.email.endswith(".invalid")
    assert gone.is_active is False and gone.erased_at == clock.now()
    assert gone.language is None and gone.email_verified_at is None
    # The question and the answer to it are still there, signed with the pseudonym.
    thread_page = client_for(app).get(f"/t/{thread.id}").text
    assert "Modem lento" in thread_page and "Riavvia il modem." in thread_page
    assert f"anon_{giulia.id}" in thread_page and "Giulia" not in thread_page
    assert reply.id is not None


def test_the_old_password_and_name_no_longer_sign_in(app, session, clock, giulia):
    browser = client_for(app, giulia)
    submit(browser, "/settings/delete-account", {"erase_password": PASSWORD})

    for login_name in ("giulia", "giulia@example.com", f"anon_{giulia.id}"):
        fresh = client_for(app)
        response = submit(fresh, "/login", {"login": login_name, "password": PASSWORD})
        assert response.status_code == 422, login_name
        assert "Wrong username, email or password." in response.text


def test_a_wrong_password_keeps_the_account_and_says_why(app, session, clock, giulia):
    browser = client_for(app, giulia)

    response = submit(browser, "/settings/delete-account", {"erase_password": "not my password"})

    assert response.status_code == 422
    assert "Your password is not correct." in response.text
    assert 'id="f-erase_password-error"' in response.text
    assert reload(session, giulia.id).username == "giulia"
    assert browser.get("/settings").status_code == 200


def test_guessing_the_password_is_rate_limited(session, clock, giulia):
    for _ in range(account_erasure.ATTEMPTS_PER_HOUR):
        with pytest.raises(Invalid):
            account_erasure.erase(session, Guardian(giulia), giulia, password="wrong", clock=clock)
    with pytest.raises(RateLimited):
        account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)
    assert reload(session, giulia.id).erased_at is None


def test_the_form_needs_the_csrf_token(app, giulia, session):
    browser = client_for(app, giulia)
    response = browser.post(
        "/settings/delete-account", data={"erase_password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert reload(session, giulia.id).erased_at is None


def test_what_served_only_the_member_is_gone(session, clock, giulia):
    category = make_category(session)
    thread = make_thread(session, clock, author=giulia, category=category)
    accounts.create_api_token(session, Guardian(giulia), name="script", clock=clock)
    email_confirmation.ask_to_change(
        session,
        Guardian(giulia),
        giulia,
        new_email="g.new@example.com",
        password=PASSWORD,
        clock=clock,
    )
    helper = make_user(session, clock)
    answer = make_reply(session, clock, author=helper, thread=thread)
    bookmarks.add_bookmark(session, Guardian(giulia), answer, note="try this", clock=clock)
    drain(session, clock)
    assert session.exec(select(Notification).where(Notification.user_id == giulia.id)).all()
    assert watching.is_watching(session, giulia, thread)

    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)

    for table in (ApiToken, Bookmark, EmailConfirmation, Notification, Watch):
        assert session.exec(select(table).where(col(table.user_id) == giulia.id)).all() == []
    # The address the member was moving to is not kept in the outbox either.
    payloads = [
        event.payload
        for event in session.exec(select(OutboxEvent).where(OutboxEvent.name.startswith("email")))
    ]
    assert payloads and not any("example.com" in payload for payload in payloads)


def test_nothing_is_mailed_to_a_deleted_account(session, clock, giulia, mailbox: Mailbox):
    category = make_category(session)
    thread = make_thread(session, clock, author=giulia, category=category)
    password_reset.request_link(session, login="giulia", client_ip="1.2.3.4", clock=clock)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    # Queued before the deletion: a reset link and, ten minutes on, the unread reply's e-mail.
    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)

    clock.advance(minutes=60)
    run_mailer(session, clock)

    assert [m["To"] for m in mailbox() if "giulia" in m["To"] or "anon_" in m["To"]] == []
    assert mailbox(), "the other repliers were still told"


def test_the_same_mail_reaches_a_member_who_stays(session, clock, giulia, mailbox: Mailbox):
    category = make_category(session)
    thread = make_thread(session, clock, author=giulia, category=category)
    password_reset.request_link(session, login="giulia", client_ip="1.2.3.4", clock=clock)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)

    clock.advance(minutes=60)
    run_mailer(session, clock)

    to_giulia = [m["Subject"] for m in mailbox() if m["To"] == "Giulia <giulia@example.com>"]
    assert len(to_giulia) == 2, to_giulia


def test_the_profile_says_the_account_was_deleted(app, session, clock, giulia):
    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)

    response = client_for(app).get(f"/u/anon_{giulia.id}")

    assert response.status_code == 410
    assert "This member deleted their account." in response.text
    assert client_for(app).get("/u/giulia").status_code == 404


def test_the_old_name_is_free_but_pseudonyms_are_reserved(app, session, clock, giulia):
    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)
    browser = client_for(app)
    fields = {"display_name": "G", "password": "a long enough password"}

    taken = submit(browser, "/signup", {**fields, "username": "anon_99", "email": "x@example.com"})
    again = submit(
        browser, "/signup", {**fields, "username": "giulia", "email": "giulia@example.com"}
    )

    assert taken.status_code == 422
    assert "Usernames starting with anon_ are kept for deleted accounts." in taken.text
    assert again.status_code == 303


def test_the_leaderboard_forgets_the_member(app, session, clock, giulia):
    category = make_category(session)
    thread = make_thread(session, clock, author=make_user(session, clock), category=category)
    answer = make_reply(session, clock, author=giulia, thread=thread)
    kudos.give_kudos(session, Guardian(make_user(session, clock)), answer, clock=clock)
    drain(session, clock)
    assert "Giulia" in client_for(app).get("/leaderboard?period=all").text

    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)

    page = client_for(app).get("/leaderboard?period=all").text
    assert "Giulia" not in page and f"anon_{giulia.id}" not in page


def test_an_admin_deletes_a_member_after_typing_the_username(session, clock, admin, app):
    member = make_user(session, clock, username="spammer")
    browser = client_for(app, admin)
    assert "Delete this account" in browser.get("/mod/users/spammer").text

    wrong = submit(browser, "/mod/users/spammer/erase", {"confirm_username": "spam"})
    assert wrong.status_code == 422
    assert "Type the username spammer to confirm." in wrong.text
    assert reload(session, member.id).erased_at is None

    done = submit(browser, "/mod/users/spammer/erase", {"confirm_username": "Spammer "})
    assert done.status_code == 303
    assert reload(session, member.id).username == f"anon_{member.id}"
    assert "The account spammer has been deleted" in browser.get(done.headers["location"]).text


def test_only_admins_delete_other_accounts_and_never_an_admins(session, clock, admin, app):
    member = make_user(session, clock, username="marco")
    moderator = make_user(session, clock, username="sara", role=Role.moderator)
    other_admin = make_user(session, clock, username="boss2", role=Role.admin)

    for actor, target in ((member, moderator), (moderator, member), (admin, other_admin)):
        browser = client_for(app, actor)
        response = submit(
            browser, f"/mod/users/{target.username}/erase", {"confirm_username": target.username}
        )
        assert response.status_code == 403, (actor.username, target.username)
        with pytest.raises(Forbidden):
            account_erasure.erase(
                session, Guardian(actor), target, confirm_username=target.username, clock=clock
            )
        assert reload(session, target.id).erased_at is None
    anonymous = submit(client_for(app), "/mod/users/marco/erase", {"confirm_username": "marco"})
    assert anonymous.status_code in (401, 303)
    assert reload(session, member.id).erased_at is None


def test_the_last_administrator_cannot_leave(session, clock, admin):
    with pytest.raises(Forbidden) as refused:
        account_erasure.erase(session, Guardian(admin), admin, password=PASSWORD, clock=clock)
    assert "only administrator" in refused.value.message
    assert reload(session, admin.id).erased_at is None

    make_user(session, clock, username="boss2", role=Role.admin)
    account_erasure.erase(session, Guardian(admin), admin, password=PASSWORD, clock=clock)
    assert reload(session, admin.id).erased_at is not None


def test_the_operator_deletes_an_account_from_the_command_line(
    session, clock, giulia, database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli_app, ["erase-account", "giulia", "--yes"])

    assert result.exit_code == 0, result.output
    assert f"account giulia deleted; its posts now show anon_{giulia.id}" in result.output
    assert reload(session, giulia.id).erased_at is not None
    again = CliRunner().invoke(cli_app, ["erase-account", "giulia", "--yes"])
    assert again.exit_code == 1
    assert "There is no member called giulia" in again.output


def test_an_erased_account_cannot_be_erased_twice(session, clock, giulia):
    account_erasure.erase(
        session, OperatorGuardian(), giulia, confirm_username="giulia", clock=clock
    )
    with pytest.raises(Invalid):
        account_erasure.erase(
            session, OperatorGuardian(), giulia, confirm_username=giulia.username, clock=clock
        )


def test_the_data_export_before_deletion_is_the_members_last_copy(app, session, clock, giulia):
    browser = client_for(app, giulia)
    exported = json.loads(browser.get("/settings/export").text)
    assert exported["account"]["username"] == "giulia"
    submit(browser, "/settings/delete-account", {"erase_password": PASSWORD})
    assert browser.get("/settings/export", follow_redirects=False).status_code in (302, 303)


def test_the_settings_page_is_in_italian_too(app, session, clock, giulia):
    browser = client_for(app, giulia)
    login(browser, giulia)
    page = browser.get("/settings", headers={"Accept-Language": "it"}).text
    assert "Elimina il tuo account" in page


def test_an_admin_deletes_a_spammer_with_every_post(app, session, clock, admin):
    spammer = make_user(session, clock, username="spammer")
    member = make_user(session, clock, username="marta")
    category = make_category(session)
    spam = make_thread(
        session, clock, author=spammer, category=category, title="Cheap watches here"
    )
    make_reply(session, clock, author=member, thread=spam, body="Is this real?")
    honest = make_thread(session, clock, author=member, category=category, title="Modem lento")
    make_reply(session, clock, author=spammer, thread=honest, body="Buy cheap watches!")
    make_reply(session, clock, author=make_user(session, clock), thread=honest, body="Riavvia.")
    browser = client_for(app, admin)

    response = submit(
        browser,
        "/mod/users/spammer/erase",
        {"confirm_username": "spammer", "delete_posts": "on"},
    )

    assert response.status_code == 303
    session.expire_all()
    reader = client_for(app)
    assert reader.get(f"/t/{spam.id}").status_code == 404
    page = reader.get(f"/t/{honest.id}").text
    assert "Riavvia." in page and "Buy cheap watches!" not in page
    left = session.exec(select(Post).where(Post.author_id == spammer.id)).all()
    assert left and all(post.deleted_at is not None for post in left)
    assert reload(session, spammer.id).erased_at is not None
    assert reload(session, member.id).answer_count == 0  # her reply went with the spam thread


def test_a_member_cannot_take_their_posts_along(session, clock, giulia):
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    with pytest.raises(Forbidden):
        account_erasure.erase(
            session, Guardian(giulia), giulia, password=PASSWORD, delete_posts=True, clock=clock
        )
    session.expire_all()
    assert session.get(Thread, thread.id).deleted_at is None
    assert reload(session, giulia.id).erased_at is None
