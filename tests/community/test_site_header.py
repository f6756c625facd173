"""The header every page shares: who is signed in, where to go, how to leave."""

import re

from sqlmodel import Session

from community.models import Role
from tests.factories import make_user


def test_a_visitor_is_offered_log_in_sign_up_and_the_language(client) -> None:
    page = client.get("/").text
    header = page.split('<header class="site-header">')[1].split("</header>")[0]
    assert 'href="/login"' in header and 'href="/signup"' in header
    assert 'class="account-menu"' not in header
    assert 'name="language" value="it"' in header
    # The footer switches the language too: on a phone the header has no room for it.
    footer = page.split('<footer class="container site-footer">')[1]
    assert 'name="language" value="it"' in footer


def test_a_member_finds_profile_threads_settings_and_log_out_in_the_account_menu(
    client, session: Session, clock, login
) -> None:
    member = make_user(session, clock, username="ornella")
    login(client, member)
    page = client.get("/").text
    menu = page.split('<details class="account-menu">')[1].split("</details>")[0]
    assert member.display_name in menu
    for href in ('href="/u/ornella"', 'href="/my/threads"', 'href="/settings"'):
        assert href in menu
    assert 'action="/logout"' in menu
    assert 'href="/login"' not in page.split("</header>")[0]
    # The bell is drawn, not an emoji a system font may lack.
    bell = page.split('class="bell"')[1].split("</a>")[0]
    assert "<svg" in bell and "&#128276;" not in bell


def test_the_italian_header_reads_in_italian(client, session: Session, clock, login) -> None:
    login(client, make_user(session, clock, username="ornella"))
    page = client.get("/", headers={"Accept-Language": "it"}).text
    header = page.split("</header>")[0]
    for label in ("Fai una domanda", "Le mie discussioni", "Impostazioni", "Esci", "Sezioni"):
        assert label in header


def test_the_section_the_reader_is_in_is_marked_in_the_nav(
    client, session: Session, clock, login
) -> None:
    def current(page: str) -> list[str]:
        nav = page.split('<nav class="site-nav"')[1].split("</nav>")[0]
        return re.findall(r'<a href="([^"]*)" aria-current="page">', nav)

    assert current(client.get("/").text) == ["/"]
    assert current(client.get("/leaderboard").text) == ["/leaderboard"]
    login(client, make_user(session, clock, username="mara", role=Role.moderator))
    assert current(client.get("/mod/queue", params={"reason": "negative"}).text) == ["/mod/queue"]
    assert current(client.get("/mod/cases").text) == ["/mod/cases"]
    assert current(client.get("/t/new").text) == []
