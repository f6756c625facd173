"""The administrators' category editor: /admin/categories and its forms, as an admin, a moderator,
a member and a visitor meet them."""

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from community import accounts, categories
from community.clock import FrozenClock
from community.errors import Conflict, Invalid
from community.events import OutboxEvent
from community.models import Category, Role
from community.policy import Guardian
from tests.conftest import drain
from tests.factories import make_category, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import api_post, client_for, submit

NEW_FORM = {
    "name": "Fibre and ADSL",
    "slug": "fibra",
    "description_it": "Connessioni di casa, modem e velocità.",
    "description_en": "Home connections, modems and speed.",
    "position": "2",
}


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', page)
    assert match is not None, f"no error shown next to {field}"
    return html.unescape(match.group(1))


def typed_value(page: str, field: str) -> str:
    """What the form shows in ``field``: an input's value or a textarea's text."""
    match = re.search(rf'<input id="f-{field}"[^>]* value="([^"]*)"', page) or re.search(
        rf'<textarea id="f-{field}"[^>]*>([^<]*)</textarea>', page
    )
    assert match is not None, f"no field {field} in the form"
    return html.unescape(match.group(1))


def stored(session: Session) -> list[Category]:
    session.expire_all()
    return list(session.exec(select(Category).order_by(col(Category.id))))


# --- creating and editing through the pages ------------------------------------------------------


def test_a_new_category_shows_on_the_home_page_with_each_languages_description(
    admin_client: TestClient, app: FastAPI
) -> None:
    new_form = admin_client.get("/admin/categories/new")
    assert new_form.status_code == 200 and 'action="/admin/categories/new"' in new_form.text

    saved = submit(admin_client, "/admin/categories/new", NEW_FORM)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/categories"
    listing = admin_client.get("/admin/categories").text
    assert "Category saved." in listing
    row = listing.split("<tbody>")[1]
    assert "Fibre and ADSL" in row and "/c/fibra" in row
    assert 'href="/admin/categories/fibra/edit"' in row

    visitor = client_for(app)
    english = visitor.get("/").text
    assert "Fibre and ADSL" in english and 'href="/c/fibra"' in english
    assert "Home connections, modems and speed." in english
    assert "Connessioni di casa" not in english
    italian = visitor.get("/", headers={"Accept-Language": "it"}).text
    assert "Connessioni di casa, modem e velocità." in italian
    assert "Home connections" not in italian


def test_the_list_is_in_position_order_then_by_name_with_the_counts(
    admin_client: TestClient, session: Session, clock: FrozenClock
) -> None:
    admin = Guardian(make_user(session, clock, role=Role.admin))
    for name, slug, position in (("Zeta", "zeta", 1), ("Mobile", "mobile", 5), ("Alfa", "alfa", 1)):
        categories.create_category(
            session, admin, name=name, slug=slug, position=position, clock=clock
        )
    page = admin_client.get("/admin/categories").text
    assert re.findall(r'href="/admin/categories/([a-z]+)/edit"', page) == ["alfa", "zeta", "mobile"]
    assert 'href="/admin/categories/new"' in page


def test_editing_renames_the_category_and_moves_its_address(
    admin_client: TestClient, session: Session
) -> None:
    category = make_category(session, slug="fibra")
    form = admin_client.get("/admin/categories/fibra/edit")
    assert form.status_code == 200
    assert typed_value(form.text, "slug") == "fibra"

    saved = submit(
        admin_client,
        "/admin/categories/fibra/edit",
        {**NEW_FORM, "name": "Fibre", "slug": "fibre-and-adsl", "position": "7"},
    )
    assert saved.status_code == 303
    [renamed] = stored(session)
    assert (renamed.id, renamed.name, renamed.slug, renamed.position) == (
        category.id,
        "Fibre",
        "fibre-and-adsl",
        7,
    )
    assert admin_client.get("/c/fibra").status_code == 404
    moved = admin_client.get("/c/fibre-and-adsl")
    assert moved.status_code == 200 and "Fibre" in moved.text


def test_saving_a_category_with_its_own_address_unchanged_is_fine(
    admin_client: TestClient, session: Session
) -> None:
    make_category(session, slug="fibra")
    saved = submit(
        admin_client, "/admin/categories/fibra/edit", {**NEW_FORM, "slug": " Fibra ", "name": "F"}
    )
    assert saved.status_code == 303, saved.text
    assert [(c.slug, c.name) for c in stored(session)] == [("fibra", "F")]


def test_a_bad_form_shows_every_fields_problem_at_once_and_keeps_what_was_typed(
    admin_client: TestClient, session: Session
) -> None:
    typed = {
        "name": "   ",
        "slug": "Not an address!",
        "description_it": "x" * 501,
        "description_en": "Bell\x07",
        "position": "ten",
    }
    page = submit(admin_client, "/admin/categories/new", typed)
    assert page.status_code == 422
    assert field_error(page.text, "name") == "A category needs a name."
    assert "lower-case letters, digits and dashes" in field_error(page.text, "slug")
    assert "at most 500 characters" in field_error(page.text, "description_it")
    assert "control characters" in field_error(page.text, "description_en")
    assert field_error(page.text, "position") == ("The position is a whole number from 0 to 10000.")
    for field in ("slug", "description_it", "position"):
        assert typed_value(page.text, field) == typed[field]
    assert stored(session) == []


@pytest.mark.parametrize("position", ["-1", "10001", "1e3", "99999999999999999999", ""])
def test_a_position_out_of_range_or_not_a_whole_number_is_an_error_on_its_field(
    admin_client: TestClient, session: Session, position: str
) -> None:
    page = submit(admin_client, "/admin/categories/new", {**NEW_FORM, "position": position})
    assert page.status_code == 422
    assert "whole number from 0 to 10000" in field_error(page.text, "position")
    assert typed_value(page.text, "name") == NEW_FORM["name"]
    assert stored(session) == []


def test_a_taken_address_is_an_error_on_the_address_field(
    admin_client: TestClient, session: Session
) -> None:
    make_category(session, slug="fibra")
    make_category(session, slug="mobile")
    created = submit(admin_client, "/admin/categories/new", NEW_FORM)
    assert created.status_code == 422
    assert field_error(created.text, "slug") == "A category with this address already exists."
    assert typed_value(created.text, "name") == NEW_FORM["name"]

    edited = submit(admin_client, "/admin/categories/mobile/edit", {**NEW_FORM, "name": "Phones"})
    assert edited.status_code == 422
    assert field_error(edited.text, "slug") == "A category with this address already exists."
    assert 'action="/admin/categories/mobile/edit"' in edited.text
    assert [c.slug for c in stored(session)] == ["fibra", "mobile"]
    assert "Phones" not in {c.name for c in stored(session)}


def test_the_edit_form_of_an_unknown_category_is_not_found(admin_client: TestClient) -> None:
    assert admin_client.get("/admin/categories/nope/edit").status_code == 404
    assert submit(admin_client, "/admin/categories/nope/edit", NEW_FORM).status_code == 404
    assert admin_client.get("/admin/categories/%00/edit").status_code == 404


def test_the_italian_form_speaks_italian(admin_client: TestClient) -> None:
    admin_client.headers["Accept-Language"] = "it"
    page = submit(admin_client, "/admin/categories/new", {**NEW_FORM, "position": "x"})
    assert "Descrizione in italiano" in page.text
    assert field_error(page.text, "position") == (
        "La posizione deve essere un numero intero da 0 a 10000."
    )


# --- who may -----------------------------------------------------------------------------------

PAGES = ["/admin/categories", "/admin/categories/new", "/admin/categories/fibra/edit"]
FORMS = ["/admin/categories/new", "/admin/categories/fibra/edit"]


@pytest.mark.parametrize("role", [Role.member, Role.moderator])
def test_members_and_moderators_are_refused_every_page_and_form(
    app: FastAPI, session: Session, clock: FrozenClock, role: Role
) -> None:
    make_category(session, slug="fibra")
    client = client_for(app, make_user(session, clock, role=role))
    for url in PAGES:
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "Only administrators can manage categories." in refused.text
    for url in FORMS:
        assert submit(client, url, {**NEW_FORM, "slug": "mine"}).status_code == 403, url
    assert [c.slug for c in stored(session)] == ["fibra"]


def test_a_visitor_is_sent_to_log_in_first(app: FastAPI, session: Session) -> None:
    make_category(session, slug="fibra")
    visitor = client_for(app)
    for url in PAGES:
        answer = visitor.get(url, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"] == "/login?next=" + url
    for url in FORMS:
        assert submit(visitor, url, NEW_FORM).status_code == 401, url
    assert [c.slug for c in stored(session)] == ["fibra"]


def test_only_admins_find_categories_in_the_sections_bar(
    app: FastAPI, session: Session, clock: FrozenClock
) -> None:
    def sections(client: TestClient) -> str:
        page: str = client.get("/").text
        return page.split('<nav class="site-nav"')[1].split("</nav>")[0]

    link = '<a href="/admin/categories">Categories</a>'
    assert link in sections(client_for(app, make_user(session, clock, role=Role.admin)))
    for role in (Role.member, Role.moderator):
        assert link not in sections(client_for(app, make_user(session, clock, role=role)))
    assert link not in sections(client_for(app))


# --- the audit log -----------------------------------------------------------------------------


def test_a_change_made_on_the_page_shows_in_the_audit_log(
    admin_client: TestClient, session: Session, clock: FrozenClock
) -> None:
    submit(admin_client, "/admin/categories/new", NEW_FORM)
    submit(admin_client, "/admin/categories/fibra/edit", {**NEW_FORM, "name": "Fibre"})
    drain(session, clock)
    log = admin_client.get("/mod/audit").text
    assert "Created a category" in log and "Edited a category" in log
    assert "Fibre and ADSL" in html.unescape(log)


# --- the JSON API ------------------------------------------------------------------------------

NEW_JSON = {**NEW_FORM, "position": 2}


def api_patch(client: TestClient, url: str, payload: dict[str, object]) -> Response:
    response: Response = client.patch(
        url, json=payload, headers={"X-CSRF-Token": csrf_token(client)}
    )
    return response


def test_the_api_creates_a_category_and_changes_only_the_fields_given(
    admin_client: TestClient, app: FastAPI
) -> None:
    created = api_post(admin_client, "/api/v1/categories", NEW_JSON)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("slug", "name", "description", "position", "thread_count")} == {
        "slug": "fibra",
        "name": "Fibre and ADSL",
        "description": "Home connections, modems and speed.",
        "position": 2,
        "thread_count": 0,
    }
    assert body["descriptions"] == {
        "it": NEW_FORM["description_it"],
        "en": NEW_FORM["description_en"],
    }

    renamed = api_patch(
        admin_client, "/api/v1/categories/fibra", {"name": "Fibre", "slug": "fibre"}
    )
    assert renamed.status_code == 200, renamed.text
    assert {k: renamed.json()[k] for k in ("slug", "name", "description", "position")} == {
        "slug": "fibre",
        "name": "Fibre",
        "description": "Home connections, modems and speed.",
        "position": 2,
    }
    listed = client_for(app).get("/api/v1/categories").json()["items"]
    assert [c["slug"] for c in listed] == ["fibre"]
    assert api_patch(admin_client, "/api/v1/categories/fibra", {"name": "X"}).status_code == 404
    assert api_patch(admin_client, "/api/v1/categories/%00", {"name": "X"}).status_code == 404


def test_an_admins_api_token_needs_no_csrf_token_but_the_session_does(
    app: FastAPI, session: Session, clock: FrozenClock
) -> None:
    admin = make_user(session, clock, role=Role.admin)
    _, token = accounts.create_api_token(session, Guardian(admin), name="setup", clock=clock)
    script = client_for(app)
    made = script.post(
        "/api/v1/categories", json=NEW_JSON, headers={"Authorization": f"Bearer {token}"}
    )
    assert made.status_code == 201, made.text
    browser = client_for(app, admin)
    forged = browser.patch("/api/v1/categories/fibra", json={"name": "Hijacked"})
    assert forged.status_code == 403
    assert [c.name for c in stored(session)] == ["Fibre and ADSL"]


@pytest.mark.parametrize(
    ("payload", "field", "detail"),
    [
        ({"position": 20_000}, "position", "The position is a whole number from 0 to 10000."),
        ({"position": -1}, "position", "The position is a whole number from 0 to 10000."),
        ({"slug": "Not an address!"}, "slug", "lower-case letters, digits and dashes"),
        ({"name": " "}, "name", "A category needs a name."),
        ({"description_en": "x" * 501}, "description_en", "at most 500 characters"),
    ],
)
def test_bad_input_to_the_api_is_a_422_that_says_what_is_wrong(
    admin_client: TestClient, session: Session, payload: dict[str, object], field: str, detail: str
) -> None:
    make_category(session, slug="mobile")
    created = api_post(admin_client, "/api/v1/categories", {**NEW_JSON, **payload})
    assert created.status_code == 422
    assert created.json()["field"] == field and detail in created.json()["detail"]
    patched = api_patch(admin_client, "/api/v1/categories/mobile", payload)
    assert patched.status_code == 422
    assert patched.json()["field"] == field and detail in patched.json()["detail"]
    assert [c.slug for c in stored(session)] == ["mobile"]


def test_a_position_that_is_not_a_number_is_a_422_naming_the_field(
    admin_client: TestClient,
) -> None:
    refused = api_post(admin_client, "/api/v1/categories", {**NEW_JSON, "position": "ten"})
    assert refused.status_code == 422
    assert "position" in refused.json()["detail"]


def test_a_taken_slug_is_a_conflict(admin_client: TestClient, session: Session) -> None:
    make_category(session, slug="fibra")
    make_category(session, slug="mobile")
    for refused in (
        api_post(admin_client, "/api/v1/categories", NEW_JSON),
        api_patch(admin_client, "/api/v1/categories/mobile", {"slug": "fibra"}),
    ):
        assert refused.status_code == 409
        assert refused.json() == {
            "detail": "A category with this address already exists.",
            "field": "slug",
        }


@pytest.mark.parametrize("role", [Role.member, Role.moderator])
def test_members_and_moderators_are_refused_by_the_api(
    app: FastAPI, session: Session, clock: FrozenClock, role: Role
) -> None:
    make_category(session, slug="fibra")
    client = client_for(app, make_user(session, clock, role=role))
    for refused in (
        api_post(client, "/api/v1/categories", {**NEW_JSON, "slug": "mine"}),
        api_patch(client, "/api/v1/categories/fibra", {"name": "Mine"}),
        # Refused before the body is looked at.
        api_patch(client, "/api/v1/categories/fibra", {"position": "not even a number"}),
    ):
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only administrators can manage categories."
    assert [c.name for c in stored(session)] == ["Fibra"]


def test_signed_out_the_api_asks_to_log_in(app: FastAPI, session: Session) -> None:
    make_category(session, slug="fibra")
    visitor = client_for(app)
    assert visitor.post("/api/v1/categories", json=NEW_JSON).status_code == 401
    assert visitor.patch("/api/v1/categories/fibra", json={"name": "X"}).status_code == 401
    assert [c.name for c in stored(session)] == ["Fibra"]


# --- the service -------------------------------------------------------------------------------


def test_the_service_reports_every_problem_together(session: Session, clock: FrozenClock) -> None:
    admin = Guardian(make_user(session, clock, role=Role.admin))
    category = make_category(session, slug="fibra")
    with pytest.raises(Invalid) as refused:
        categories.update_category(
            session, admin, category, name="", description_en="x" * 501, position=-3, clock=clock
        )
    problems = [refused.value, *refused.value.also]
    assert {p.field for p in problems} == {"name", "description_en", "position"}
    session.refresh(category)
    assert category.name == "Fibra" and category.position == 0


def test_an_address_taken_at_the_same_moment_is_a_conflict_not_a_server_error(
    session: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins pass the check at once; the database's unique address decides."""
    admin = Guardian(make_user(session, clock, role=Role.admin))
    make_category(session, slug="fibra")
    monkeypatch.setattr(categories, "_ensure_free", lambda *_: None)  # the other admin's check
    with pytest.raises(Conflict) as refused:
        categories.create_category(session, admin, slug="fibra", name="Fibra 2", clock=clock)
    assert refused.value.field == "slug"
    assert len(session.exec(select(Category)).all()) == 1


def test_saving_without_a_change_records_nothing(session: Session, clock: FrozenClock) -> None:
    admin = Guardian(make_user(session, clock, role=Role.admin))
    category = make_category(session, slug="fibra")
    recorded = len(session.exec(select(OutboxEvent)).all())
    categories.update_category(
        session, admin, category, slug="fibra", name="Fibra", position="0", clock=clock
    )
    assert len(session.exec(select(OutboxEvent)).all()) == recorded
    categories.update_category(session, admin, category, name="Fibra ottica", clock=clock)
    assert len(session.exec(select(OutboxEvent)).all()) == recorded + 1
