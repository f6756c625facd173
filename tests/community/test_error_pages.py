"""What a person sees when a request is refused (a stale form, an address that names nothing)
and what the API says instead.

Staff pages sending signed-out visitors to log in: tests/moderation/test_visibility_views.py."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from community.models import Post
from tests.factories import PASSWORD, make_category, make_thread, make_user
from tests.helpers import csrf_token, login

HTMX = {"HX-Request": "true"}
STALE_EN = "Your session expired or the form is stale: reload the page and try again."
STALE_IT = "La sessione è scaduta o il modulo non è più valido: ricarica la pagina e riprova."
GONE_EN = "The address may be mistyped, or the page may have moved or been removed."
GONE_IT = (
    "L&#39;indirizzo potrebbe contenere un errore, oppure la pagina è stata spostata o eliminata."
)


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?) · ", page)
    assert match is not None, page[:300]
    return match.group(1)


def _links(page: str) -> dict[str, str]:
    """The error page's own links, text to address."""
    section = page.split('class="error-links"')[1].split("</ul>")[0]
    return {text: href for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', section)}


# A refused form (CSRF) ---------------------------------------------------------------------------


def test_a_stale_form_gets_the_error_page_in_the_readers_language(client, session, clock):
    marco = make_user(session, clock, username="marco", language="it")
    login(client, marco)

    response = client.post(
        "/settings/profile",
        data={"csrf_token": "stale", "display_name": "Marco B."},
        headers={"Referer": "https://testserver/settings"},
    )

    assert response.status_code == 403
    assert STALE_IT in response.text
    assert _title(response.text) == "Accesso non consentito"
    # The whole site around it, as Marco knows it: his own menu, not "Log in".
    assert 'href="/u/marco"' in response.text and 'href="/login"' not in response.text
    # Reloading this page would post the stale form again: the way out is the form's page.
    assert _links(response.text) == {
        "Torna alla pagina precedente": "/settings",
        "Torna alla community": "/",
    }
    session.refresh(marco)
    assert marco.display_name == "Marco"


def test_a_form_whose_session_expired_is_refused_in_words_a_person_understands(client):
    # The session cookie ran out: the page's token belongs to a session that is gone.
    response = client.post(
        "/login",
        data={"csrf_token": "from-an-expired-session", "username": "marco", "password": PASSWORD},
        headers={"Referer": "https://evil.example/login"},
    )

    assert response.status_code == 403
    assert STALE_EN in response.text
    assert "<!doctype html>" in response.text and 'id="flash"' in response.text
    assert _links(response.text) == {"Back to the community": "/"}  # no link to another site


def test_a_stale_htmx_action_says_so_in_the_flash_and_leaves_the_page_alone(client, session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    login(client, helper)

    response = client.post(
        f"/t/{thread.id}/posts",
        data={"body": "Try another cable, it fixed mine."},
        headers={**HTMX, "X-CSRF-Token": "stale"},
    )

    assert response.status_code == 403
    # htmx puts the answer in #flash instead of the form, so the text typed in it stays.
    assert response.headers["HX-Retarget"] == "#flash"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert response.text.strip() == f'<p class="flash error">{STALE_EN}</p>'
    assert session.scalar(select(func.count()).select_from(Post)) == 1  # the question alone


def test_a_program_posting_without_the_token_gets_json(client, session, clock):
    login(client, make_user(session, clock))

    refused = client.post("/api/v1/me/tokens", json={"name": "script"})

    assert refused.status_code == 403
    assert refused.json() == {"detail": STALE_EN, "code": "csrf_failed"}


# An address that names nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/t/abc", "/t/abc/some-title", "/p/abc", "/p/1x/edit", "/t/0", "/t/99999999999"]
)
def test_an_id_that_is_not_one_gives_the_not_found_page(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert _title(response.text) == "Not found"
    assert GONE_EN in response.text
    assert "Input should be" not in response.text


def test_a_form_posted_to_an_address_that_names_nothing_gets_the_not_found_page(
    client, session, clock
):
    login(client, make_user(session, clock))

    response = client.post(
        "/t/abc/posts", data={"csrf_token": csrf_token(client), "body": "Hello there, all."}
    )

    assert response.status_code == 404
    assert GONE_EN in response.text


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/api/v1/threads/abc", "thread_id in the URL must be a whole number, not “abc”."),
        ("/api/v1/threads/0", "thread_id in the URL must be at least 1."),
        ("/api/v1/threads/99999999999", "thread_id in the URL must be at most 2147483647."),
    ],
)
def test_the_api_says_what_is_wrong_with_its_url(client, path, detail):
    response = client.get(path)

    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert response.json()["errors"][0]["field"] == "path.thread_id"


def test_the_api_says_what_is_wrong_with_its_url_in_italian(client):
    response = client.get("/api/v1/threads/abc", headers={"Accept-Language": "it"})

    assert response.json()["detail"] == (
        "Il parametro thread_id nell'URL deve essere un numero intero, non «abc»."
    )


# The not-found page in Italian -----------------------------------------------------------------


def test_the_not_found_page_is_all_italian_for_an_italian_reader(client):
    response = client.get("/nowhere", headers={"Accept-Language": "it"})

    assert response.status_code == 404
    assert _title(response.text) == "Pagina non trovata"
    assert "<h1>Pagina non trovata</h1>" in response.text
    assert GONE_IT in response.text
    assert _links(response.text) == {
        "Torna alla community": "/",
        "Cerca nella community": "/search",
    }


def test_the_not_found_page_speaks_the_language_a_member_chose_whatever_the_browser(
    app, session, clock
):
    make_user(session, clock, username="giulia", language="it")
    with TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"}) as c:
        login(c, "giulia")

        response = c.get("/nowhere")

    assert response.status_code == 404
    assert GONE_IT in response.text
    assert 'href="/u/giulia"' in response.text  # still signed in, as the menu shows


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"detail": GONE_EN}
