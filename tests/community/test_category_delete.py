"""Deleting a category: admins delete an empty one from its edit page or the API; a category
that still has threads (hidden, held and deleted ones too) and the last category stay, with a
message that says why."""

import html
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from community import categories, posting, reputation
from community.clock import FrozenClock
from community.errors import Invalid
from community.models import (
    AdvocateCategory,
    Category,
    Post,
    ReputationEntry,
    ReputationReason,
    ReputationTally,
    Role,
    Thread,
    User,
)
from community.policy import Guardian
from moderation import tools
from tests.conftest import drain
from tests.factories import make_category, make_thread, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import client_for, submit

CONFIRMED = {"confirm": "yes"}
THREE_THREADS = "This category still has 3 threads. Move them to another category first."


@pytest.fixture
def fibre(session: Session) -> Category:
    return make_category(session, slug="fibra")


@pytest.fixture
def mobile(session: Session) -> Category:
    return make_category(session, slug="mobile", position=1)


def slugs(session: Session) -> list[str]:
    session.expire_all()
    return [c.slug for c in session.exec(select(Category).order_by(col(Category.id)))]


def refusal(page: str) -> str:
    match = re.search(r'id="category-delete-refusal"[^>]*>([^<]*)<', page)
    assert match is not None, "the page does not say why the category cannot be deleted"
    return html.unescape(match.group(1))


def api_delete(client: TestClient, url: str) -> Response:
    response: Response = client.delete(url, headers={"X-CSRF-Token": csrf_token(client)})
    return response


# --- an empty category --------------------------------------------------------------------------


def test_the_edit_page_deletes_an_empty_category_once_the_box_is_ticked(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    form = admin_client.get("/admin/categories/mobile/edit").text
    assert 'action="/admin/categories/mobile/delete"' in form
    assert 'name="confirm"' in form and "Yes, delete this category" in form
    deleted = submit(admin_client, "/admin/categories/mobile/delete", CONFIRMED)
    assert deleted.status_code == 303 and deleted.headers["location"] == "/admin/categories"
    listing = admin_client.get("/admin/categories").text
    assert "Category “Mobile” deleted." in html.unescape(listing)
    assert "/c/mobile" not in listing and "/c/fibra" in listing
    assert slugs(session) == ["fibra"]
    assert admin_client.get("/admin/categories/mobile/edit").status_code == 404
    assert submit(admin_client, "/admin/categories/mobile/delete", CONFIRMED).status_code == 404


def test_the_italian_page_confirms_the_deletion_in_italian(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    admin_client.headers["Accept-Language"] = "it"
    assert "Sì, elimina questa categoria" in admin_client.get("/admin/categories/mobile/edit").text
    submit(admin_client, "/admin/categories/mobile/delete", CONFIRMED)
    listing = admin_client.get("/admin/categories").text
    assert "Categoria «Mobile» eliminata." in html.unescape(listing)


def test_without_the_box_ticked_nothing_is_deleted_and_the_box_says_why(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    page = submit(admin_client, "/admin/categories/mobile/delete")
    assert page.status_code == 422
    error = re.search(r'id="f-confirm-error"[^>]*>([^<]*)<', page.text)
    assert error is not None
    assert error.group(1) == "Tick the box to confirm deleting the category."
    assert 'action="/admin/categories/mobile/delete"' in page.text
    assert slugs(session) == ["fibra", "mobile"]


def test_a_deleted_category_leaves_every_list_and_the_new_thread_form_and_its_address_404s(
    app: FastAPI,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    member = client_for(app, make_user(session, clock))
    assert 'href="/c/mobile"' in member.get("/").text
    assert '<option value="mobile"' in member.get("/t/new").text

    deleted = api_delete(admin_client, "/api/v1/categories/mobile")
    assert deleted.status_code == 204 and deleted.content == b""
    assert slugs(session) == ["fibra"]
    assert 'href="/c/mobile"' not in member.get("/").text
    assert '<option value="mobile"' not in member.get("/t/new").text
    assert '<option value="fibra"' in member.get("/t/new").text
    assert member.get("/c/mobile").status_code == 404
    assert [c["slug"] for c in member.get("/api/v1/categories").json()["items"]] == ["fibra"]
    again = api_delete(admin_client, "/api/v1/categories/mobile")
    assert again.status_code == 404
    assert again.json()["detail"] == "There is no such category."
    assert api_delete(admin_client, "/api/v1/categories/%00").status_code == 404


# --- categories that must stay ------------------------------------------------------------------


def three_threads(session: Session, clock: FrozenClock, category: Category) -> list[Thread]:
    """One thread anyone sees, one a moderator hid, one its author deleted."""
    asker = make_user(session, clock)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    shown = make_thread(session, clock, author=asker, category=category, title="Shown question")
    hidden = make_thread(session, clock, author=asker, category=category, title="Hidden question")
    tools.hide_thread(session, moderator, hidden, clock=clock)
    gone = make_thread(session, clock, author=asker, category=category, title="Deleted question")
    delete_question(session, asker, gone, clock)
    return [shown, hidden, gone]


def delete_question(session: Session, author: User, thread: Thread, clock: FrozenClock) -> None:
    question = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()
    posting.delete_post(session, Guardian(author), question, clock=clock)


def test_a_category_with_threads_is_refused_with_how_many_in_the_readers_language(
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    three_threads(session, clock, fibre)
    refused = api_delete(admin_client, "/api/v1/categories/fibra")
    assert refused.status_code == 409
    assert refused.json()["detail"] == THREE_THREADS
    assert slugs(session) == ["fibra", "mobile"]
    assert len(session.exec(select(Thread).where(col(Thread.category_id) == fibre.id)).all()) == 3
    admin_client.headers["Accept-Language"] = "it"
    italian = api_delete(admin_client, "/api/v1/categories/fibra")
    assert italian.json()["detail"] == (
        "Questa categoria contiene ancora 3 discussioni. Spostale prima in un'altra categoria."
    )


def test_the_edit_page_says_how_many_threads_keep_the_category_and_where_they_are(
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    three_threads(session, clock, fibre)
    page = admin_client.get("/admin/categories/fibra/edit").text
    assert refusal(page) == THREE_THREADS
    assert 'href="/c/fibra"' in page.split('id="category-delete"')[1]
    assert 'action="/admin/categories/fibra/delete"' not in page
    refused = submit(admin_client, "/admin/categories/fibra/delete", CONFIRMED)
    assert refused.status_code == 409
    assert refusal(refused.text) == THREE_THREADS
    assert slugs(session) == ["fibra", "mobile"]
    admin_client.headers["Accept-Language"] = "it"
    italian = admin_client.get("/admin/categories/fibra/edit").text
    assert refusal(italian).startswith("Questa categoria contiene ancora 3 discussioni.")


def hidden_thread(session: Session, clock: FrozenClock, category: Category) -> None:
    thread = make_thread(session, clock, author=make_user(session, clock), category=category)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    tools.hide_thread(session, moderator, thread, clock=clock)


def deleted_thread(session: Session, clock: FrozenClock, category: Category) -> None:
    asker = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=category)
    delete_question(session, asker, thread, clock)


def held_thread(session: Session, clock: FrozenClock, category: Category) -> None:
    """A newcomer's question with a link waits for a moderator's approval."""
    body = "The guide at https://example.com/modem says to reset it: is that safe?"
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=category, body=body
    )
    assert thread.hidden_at is not None


@pytest.mark.parametrize("make", [hidden_thread, deleted_thread, held_thread])
def test_a_single_thread_nobody_else_sees_still_keeps_the_category(
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
    make: Callable[[Session, FrozenClock, Category], None],
) -> None:
    make(session, clock, fibre)
    message = "This category still has 1 thread. Move it to another category first."
    refused = submit(admin_client, "/admin/categories/fibra/delete", CONFIRMED)
    assert refused.status_code == 409
    assert refusal(refused.text) == message
    assert api_delete(admin_client, "/api/v1/categories/fibra").json()["detail"] == message
    assert slugs(session) == ["fibra", "mobile"]


def test_the_last_category_stays_even_when_empty(
    admin_client: TestClient, session: Session, fibre: Category
) -> None:
    message = "This is the only category: the community needs one to post in."
    page = admin_client.get("/admin/categories/fibra/edit").text
    assert refusal(page) == message
    assert 'action="/admin/categories/fibra/delete"' not in page
    refused = submit(admin_client, "/admin/categories/fibra/delete", CONFIRMED)
    assert refused.status_code == 409 and refusal(refused.text) == message
    api_refused = api_delete(admin_client, "/api/v1/categories/fibra")
    assert api_refused.status_code == 409 and api_refused.json()["detail"] == message
    assert slugs(session) == ["fibra"]


def test_the_only_category_with_threads_first_asks_for_them_to_be_moved(
    admin_client: TestClient, session: Session, clock: FrozenClock, fibre: Category
) -> None:
    """Moving them needs a new category, and then this one is no longer the only one."""
    deleted_thread(session, clock, fibre)
    refused = api_delete(admin_client, "/api/v1/categories/fibra")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "This category still has 1 thread. Move it to another category first."
    )
    assert slugs(session) == ["fibra"]


def test_once_its_threads_are_moved_out_the_category_can_go(
    admin: User,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    for thread in three_threads(session, clock, fibre):
        tools.move_thread(session, moderator, thread, category=mobile, clock=clock)
    categories.delete_category(session, Guardian(admin), fibre, clock=clock)
    assert slugs(session) == ["mobile"]
    assert len(session.exec(select(Thread).where(col(Thread.category_id) == mobile.id)).all()) == 3


def test_a_thread_started_or_moved_into_a_category_deleted_meanwhile_is_told_it_is_gone(
    db: Engine,
    admin: User,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    """The member's form and the moderator's move menu were read while the category existed; an
    admin deleted it before they pressed the button."""
    asker = make_user(session, clock)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    elsewhere = make_thread(session, clock, author=asker, category=mobile)
    with Session(db) as admins_session:
        stale = admins_session.get(Category, fibre.id)
        assert stale is not None
        categories.delete_category(admins_session, Guardian(admin), stale, clock=clock)
    gone = "This category no longer exists. Choose another one."
    with pytest.raises(Invalid, match=gone) as refused:
        posting.create_thread(
            session,
            Guardian(asker),
            category=fibre,
            title="Fibre down in Bari",
            body="No signal since this morning.",
            tags=[],
            clock=clock,
        )
    assert refused.value.field == "category"  # the form keeps what was typed, and says why
    with pytest.raises(Invalid, match=gone):
        tools.move_thread(session, moderator, elsewhere, category=fibre, clock=clock)
    session.rollback()
    session.refresh(elsewhere)
    assert elsewhere.category_id == mobile.id
    assert session.exec(select(Thread).where(col(Thread.title) == "Fibre down in Bari")).all() == []


def test_a_thread_merged_away_goes_where_it_was_merged_and_does_not_keep_the_category(
    app: FastAPI,
    admin: User,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    """A merged-away thread is only an address leading to the thread it went into: no moderator
    can move it, so it must not keep its old category forever."""
    asker = make_user(session, clock)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    merged = make_thread(session, clock, author=asker, category=fibre, title="Modem blinks red")
    into = make_thread(session, clock, author=asker, category=mobile, title="Modem red light")
    tools.merge_thread(session, moderator, merged, into=into, clock=clock)
    assert categories.refusal_to_delete(session, fibre) is None

    categories.delete_category(session, Guardian(admin), fibre, clock=clock)
    session.refresh(merged)
    assert merged.category_id == mobile.id
    redirect = client_for(app).get(f"/t/{merged.id}", follow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["location"] == f"/t/{into.id}"


# --- what named the category --------------------------------------------------------------------


def test_advocates_and_the_category_leaderboard_let_go_but_members_keep_their_points(
    app: FastAPI,
    admin: User,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    helper = make_user(session, clock, username="helper")
    thread = make_thread(session, clock, author=make_user(session, clock), category=fibre)
    reputation.award(
        session,
        user_id=helper.id or 0,
        points=15,
        reason=ReputationReason.answer_accepted,
        at=clock.now(),
        thread=thread,
    )
    session.add(AdvocateCategory(user_id=helper.id or 0, category_id=fibre.id or 0))
    session.commit()
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    tools.move_thread(session, moderator, thread, category=mobile, clock=clock)
    visitor = client_for(app)
    assert "helper" in visitor.get("/leaderboard", params={"category": "fibra"}).text

    categories.delete_category(session, Guardian(admin), fibre, clock=clock)
    session.expire_all()
    assert session.exec(select(AdvocateCategory)).all() == []
    [entry] = session.exec(select(ReputationEntry)).all()
    assert entry.category_id is None and entry.points == 15
    tallies = session.exec(select(ReputationTally)).all()
    assert {t.category_id for t in tallies} == {reputation.ALL_CATEGORIES}
    session.refresh(helper)
    assert helper.reputation == 15

    board = visitor.get("/leaderboard", params={"period": "all"})
    assert board.status_code == 200 and "helper" in board.text
    old_link = visitor.get("/leaderboard", params={"category": "fibra", "period": "all"})
    assert old_link.status_code == 200 and "helper" in old_link.text
    assert "Unknown leaderboard option fibra: showing the default instead." in old_link.text
    assert visitor.get("/api/v1/leaderboard", params={"category": "fibra"}).status_code == 422
    assert "helper" in visitor.get("/u/helper").text
    # Rebuilding every tally from the ledger gives the same boards.
    reputation.recompute(session)
    assert {t.category_id for t in session.exec(select(ReputationTally))} == {0}


def test_the_audit_log_shows_who_deleted_which_category_in_both_languages(
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    mobile_id = mobile.id
    submit(admin_client, "/admin/categories/mobile/delete", CONFIRMED)
    drain(session, clock)
    log = html.unescape(admin_client.get("/mod/audit", params={"target_type": "category"}).text)
    row = log.split("<tbody>")[1].split("</tr>")[0]
    assert "Deleted a category" in row and "boss" in row
    assert f"category #{mobile_id}" in row
    assert '"Mobile"' in row and '"mobile"' in row
    admin_client.headers["Accept-Language"] = "it"
    italian = admin_client.get("/mod/audit", params={"action": "delete_category"}).text
    assert "Ha eliminato una categoria" in italian
    assert 'value="delete_category" selected' in italian


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.member, Role.moderator])
def test_members_and_moderators_may_not_delete_a_category(
    app: FastAPI,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
    role: Role,
) -> None:
    client = client_for(app, make_user(session, clock, role=role))
    for refused in (
        submit(client, "/admin/categories/mobile/delete", CONFIRMED),
        api_delete(client, "/api/v1/categories/mobile"),
    ):
        assert refused.status_code == 403
        assert "Only administrators can manage categories." in refused.text
    assert slugs(session) == ["fibra", "mobile"]


def test_signed_out_a_delete_asks_to_log_in(
    app: FastAPI, session: Session, fibre: Category, mobile: Category
) -> None:
    visitor = client_for(app)
    assert submit(visitor, "/admin/categories/mobile/delete", CONFIRMED).status_code == 401
    assert visitor.delete("/api/v1/categories/mobile").status_code == 401
    assert slugs(session) == ["fibra", "mobile"]


def test_a_delete_without_the_csrf_token_is_refused(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    form = admin_client.post(
        "/admin/categories/mobile/delete", data=CONFIRMED, follow_redirects=False
    )
    assert form.status_code == 403
    assert admin_client.delete("/api/v1/categories/mobile").status_code == 403
    assert slugs(session) == ["fibra", "mobile"]
