"""Moving every thread of a category from its edit page (admins) and from the moderation API: the
form appears only while threads keep the category, a refused move says why next to the field and
keeps the choices, and once the threads are gone the page offers the delete."""

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.models import Category, Role, Thread, User
from community.policy import Guardian
from moderation import tools
from moderation.models import AuditEntry
from tests.factories import make_category, make_thread, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import api_post, client_for, submit

MOVE = "/mod/categories/fibra/move-threads"
API_MOVE = "/api/v1/moderation/categories/fibra/move-threads"
TICKED = {"to": "mobile", "confirm": "yes"}


@pytest.fixture
def fibre(session: Session, clock: FrozenClock, admin: User) -> Category:
    """Fibre, with three threads: one everybody sees, one hidden, one deleted."""
    fibre = make_category(session, slug="fibra")
    asker = make_user(session, clock, username="asker")
    threads = [
        make_thread(session, clock, author=asker, category=fibre, title=f"Fibre down {n}")
        for n in range(3)
    ]
    tools.hide_thread(session, Guardian(admin), threads[1], clock=clock)
    threads[2].deleted_at = clock.now()
    session.add(threads[2])
    session.commit()
    return fibre


@pytest.fixture
def mobile(session: Session) -> Category:
    return make_category(session, slug="mobile", position=1)


def in_category(session: Session, category: Category) -> int:
    session.expire_all()
    query = select(Thread).where(col(Thread.category_id) == category.id)
    return len(session.exec(query).all())


def audited(session: Session) -> int:
    query = select(AuditEntry).where(col(AuditEntry.action) == "move_all_threads")
    return len(session.exec(query).all())


def error_of(page: str, field: str) -> str:
    match = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', page)
    assert match is not None, f"no error next to {field}"
    return html.unescape(match.group(1))


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash">([^<]*)</p>', page)]


# --- the form on the edit page ------------------------------------------------------------------


def test_the_edit_page_offers_the_move_only_while_threads_keep_the_category(
    admin_client: TestClient, fibre: Category, mobile: Category
) -> None:
    page = admin_client.get("/admin/categories/fibra/edit").text
    form = page.split('id="category-move"')[1].split("</form>")[0]
    assert f'action="{MOVE}"' in page
    assert "Move all 3 threads to" in form
    assert '<option value="mobile">Mobile</option>' in form
    assert 'value="fibra"' not in form  # not into itself
    assert 'name="confirm" value="yes" required' in form
    assert 'name="csrf_token"' in form
    # The move of all of them is the way offered, not one thread at a time.
    assert "move each one from its own page" not in page

    empty = admin_client.get("/admin/categories/mobile/edit").text
    assert "move-threads" not in empty and 'id="category-move"' not in empty
    assert 'action="/admin/categories/mobile/delete"' in empty

    admin_client.headers["Accept-Language"] = "it"
    italian = admin_client.get("/admin/categories/fibra/edit").text
    assert "Sposta tutte le 3 discussioni in" in italian
    assert "Sì, sposta tutte le 3 discussioni" in italian
    assert "una per una" not in italian


def test_one_thread_reads_in_the_singular(
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    make_thread(session, clock, author=make_user(session, clock), category=mobile)
    page = admin_client.get("/admin/categories/mobile/edit").text
    assert "Move the thread to" in page and "Yes, move the thread" in page
    assert "Move all" not in page


def test_the_only_category_has_nowhere_to_move_to_and_says_so(
    admin_client: TestClient, fibre: Category
) -> None:
    page = admin_client.get("/admin/categories/fibra/edit").text
    assert "There is no other category to move them to yet." in page
    assert 'href="/admin/categories/new"' in page.split('id="category-delete"')[1]
    assert "move-threads" not in page


@pytest.mark.parametrize("role", [Role.member, Role.moderator])
def test_the_edit_page_and_its_form_are_for_admins(
    app: FastAPI,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
    role: Role,
) -> None:
    other = client_for(app, make_user(session, clock, role=role))
    page = other.get("/admin/categories/fibra/edit")
    assert page.status_code == 403 and "move-threads" not in page.text
    refused = submit(other, MOVE, TICKED)
    assert refused.status_code == 403
    assert "Only administrators can manage categories." in refused.text
    assert in_category(session, fibre) == 3 and audited(session) == 0


# --- moving -------------------------------------------------------------------------------------


def test_moving_returns_to_the_edit_page_which_now_offers_the_delete(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    moved = submit(admin_client, MOVE, TICKED)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/admin/categories/fibra/edit"
    page = admin_client.get("/admin/categories/fibra/edit").text
    assert flashes(page) == ["Moved 3 threads to Mobile."]
    assert 'action="/admin/categories/fibra/delete"' in page
    assert "move-threads" not in page
    assert (in_category(session, fibre), in_category(session, mobile)) == (0, 3)
    assert audited(session) == 1

    deleted = submit(admin_client, "/admin/categories/fibra/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    assert session.exec(select(Category).where(col(Category.slug) == "fibra")).first() is None


def test_the_confirmation_reads_in_italian(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    admin_client.headers["Accept-Language"] = "it"
    submit(admin_client, MOVE, TICKED)
    page = admin_client.get("/admin/categories/fibra/edit").text
    assert flashes(page) == ["3 discussioni spostate in Mobile."]


def test_a_second_press_after_the_threads_went_says_there_was_nothing_left(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    submit(admin_client, MOVE, TICKED)
    admin_client.get("/admin/categories/fibra/edit")  # the first confirmation is shown
    again = submit(admin_client, MOVE, TICKED)
    assert again.status_code == 303
    page = admin_client.get(again.headers["location"]).text
    assert flashes(page) == ["There were no threads left to move."]
    assert audited(session) == 1


# --- refusals -----------------------------------------------------------------------------------


def test_without_a_target_or_the_tick_nothing_moves_and_each_field_says_why(
    admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    no_target = submit(admin_client, MOVE, {"to": "", "confirm": "yes"})
    assert no_target.status_code == 422
    assert error_of(no_target.text, "move-to") == "Choose the category to move the threads to."
    assert 'value="yes" required checked' in no_target.text  # the tick is kept

    unticked = submit(admin_client, MOVE, {"to": "mobile"})
    assert unticked.status_code == 422
    assert error_of(unticked.text, "move-confirm") == (
        "Tick the box to confirm moving the threads."
    )
    assert '<option value="mobile" selected>' in unticked.text  # the choice is kept
    assert 'aria-describedby="f-move-confirm-error"' in unticked.text

    neither = submit(admin_client, MOVE)
    assert neither.status_code == 422
    assert error_of(neither.text, "move-to") == "Choose the category to move the threads to."
    assert error_of(neither.text, "move-confirm") == "Tick the box to confirm moving the threads."
    # The edit form above keeps the category's own values.
    assert 'id="f-name" name="name" type="text" value="Fibra"' in neither.text
    assert in_category(session, fibre) == 3 and audited(session) == 0


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("fibra", "The threads are already in Fibra: choose another category."),
        ("nowhere", "There is no category nowhere."),
        ("No Such/Thing", "There is no category No Such/Thing."),
    ],
)
def test_the_same_or_an_unknown_category_is_refused_next_to_the_choice(
    admin_client: TestClient,
    session: Session,
    fibre: Category,
    mobile: Category,
    to: str,
    message: str,
) -> None:
    refused = submit(admin_client, MOVE, {"to": to, "confirm": "yes"})
    assert refused.status_code == 422
    assert error_of(refused.text, "move-to") == message
    assert in_category(session, fibre) == 3 and audited(session) == 0


def test_an_unknown_category_to_move_from_is_not_found(
    admin_client: TestClient, fibre: Category, mobile: Category
) -> None:
    for slug in ("nowhere", "%00"):
        refused = submit(admin_client, f"/mod/categories/{slug}/move-threads", TICKED)
        assert refused.status_code == 404


def test_signed_out_or_without_the_csrf_token_nothing_moves(
    app: FastAPI, admin_client: TestClient, session: Session, fibre: Category, mobile: Category
) -> None:
    visitor = client_for(app)
    assert submit(visitor, MOVE, TICKED).status_code == 401
    assert visitor.post(API_MOVE, json={"to": "mobile"}).status_code == 401
    forged = admin_client.post(MOVE, data=TICKED, follow_redirects=False)
    assert forged.status_code == 403
    assert admin_client.post(API_MOVE, json={"to": "mobile"}).status_code == 403
    assert in_category(session, fibre) == 3 and audited(session) == 0


# --- the API ------------------------------------------------------------------------------------


def test_the_api_moves_them_for_moderators_and_says_how_many(
    app: FastAPI,
    session: Session,
    clock: FrozenClock,
    fibre: Category,
    mobile: Category,
) -> None:
    moderator = client_for(app, make_user(session, clock, role=Role.moderator))
    moved = api_post(moderator, API_MOVE, {"to": "mobile"})
    assert moved.status_code == 200
    assert moved.json() == {"moved": 3, "to": "mobile"}
    assert (in_category(session, fibre), in_category(session, mobile)) == (0, 3)
    again = api_post(moderator, API_MOVE, {"to": "mobile"})
    assert again.status_code == 200 and again.json() == {"moved": 0, "to": "mobile"}


def test_the_api_refuses_members_unknown_categories_and_the_same_one(
    app: FastAPI,
    session: Session,
    clock: FrozenClock,
    admin_client: TestClient,
    fibre: Category,
    mobile: Category,
) -> None:
    member = client_for(app, make_user(session, clock))
    assert api_post(member, API_MOVE, {"to": "mobile"}).status_code == 403
    unknown_source = api_post(
        admin_client, "/api/v1/moderation/categories/nowhere/move-threads", {"to": "mobile"}
    )
    assert unknown_source.status_code == 404
    assert unknown_source.json()["detail"] == "There is no category nowhere."
    unknown_target = api_post(admin_client, API_MOVE, {"to": "nowhere"})
    assert unknown_target.status_code == 404
    assert unknown_target.json()["detail"] == "There is no category nowhere."
    assert api_post(admin_client, API_MOVE, {"to": "mobile\x00"}).status_code == 404
    same = api_post(admin_client, API_MOVE, {"to": "fibra"})
    assert same.status_code == 422
    assert same.json()["detail"] == "The threads are already in Fibra: choose another category."
    assert same.json()["field"] == "category"
    missing = admin_client.post(
        API_MOVE, json={}, headers={"X-CSRF-Token": csrf_token(admin_client)}
    )
    assert missing.status_code == 422
    assert in_category(session, fibre) == 3 and audited(session) == 0
