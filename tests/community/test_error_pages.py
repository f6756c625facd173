"""What a person sees when a request is refused, and what the API says instead."""

import re

from fastapi.testclient import TestClient

from tests.factories import make_user
from tests.helpers import login

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
