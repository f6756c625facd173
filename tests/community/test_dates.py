"""Dates as people read them, in English and in Italian: recent activity is relative ("3 days
ago") with the moment in its <time> tooltip, every other date is written one way in the reader's
language, and no page shows seconds."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from community import badges, events, i18n, posting, solutions
from community.clock import FrozenClock
from community.models import Post, Thread, User
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user

# A time of day with seconds, as "9:00:17" or "09.00.17", outside the machine-readable attribute.
SECONDS = re.compile(r"\b\d{1,2}[:.]\d{2}[:.]\d{2}\b")


def _for_people(page: str) -> str:
    return re.sub(r'datetime="[^"]*"', "", page)


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> tuple[User, Thread, Post]:
    """Anna joined on Jan 15, 2026 at 9:00:17; three days later Bruno answered her, she accepted
    his answer and edited her question; now it is Jan 21."""
    clock.advance(seconds=17)
    anna = make_user(session, clock, username="anna")
    bruno = make_user(session, clock, username="bruno")
    thread = make_thread(session, clock, author=anna, category=make_category(session))
    clock.advance(days=3)
    answer = make_reply(session, clock, author=bruno, thread=thread)
    solutions.accept_solution(session, Guardian(anna), thread, answer, clock=clock)
    question = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()
    posting.edit_post(
        session, Guardian(anna), question, body="Still dropping every evening.", clock=clock
    )
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[badges.CONSUMER])
    clock.advance(days=3)
    return anna, thread, question


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_page_shows_seconds(client, login, scene, language):
    anna, thread, question = scene
    login(client, anna)
    headers = {"Accept-Language": language}
    for url in ("/u/anna", "/u/bruno", f"/t/{thread.id}", "/notifications", "/leaderboard"):
        page = client.get(url, headers=headers)
        assert page.status_code == 200, url
        assert SECONDS.search(_for_people(page.text)) is None, url
    revisions = client.get(f"/p/{question.id}/revisions", headers=headers)
    assert revisions.status_code == 200
    assert SECONDS.search(_for_people(revisions.text)) is None


def test_profile_dates_in_english(client, scene):
    page = client.get("/u/bruno", headers={"Accept-Language": "en"}).text

    assert "Member since Jan 15, 2026" in page
    assert "Earned Jan 18, 2026" in page  # the same format for every date on the page
    answered = re.search(
        r'<time datetime="2026-01-18T09:00:17[^"]*" title="([^"]+)">([^<]+)<', page
    )
    assert answered is not None
    # In the community's time zone (Europe/Rome) for a visitor.
    assert answered.groups() == ("Jan 18, 2026, 10:00\u202fAM CET", "3 days ago")


def test_profile_dates_in_italian(client, scene):
    page = client.get("/u/bruno", headers={"Accept-Language": "it"}).text

    assert "Membro dal 15 gen 2026" in page
    assert "Ottenuto il 18 gen 2026" in page
    answered = re.search(
        r'<time datetime="2026-01-18T09:00:17[^"]*" title="([^"]+)">([^<]+)<', page
    )
    assert answered is not None
    assert answered.groups() == ("18 gen 2026, 10:00 CET", "3 giorni fa")


def test_an_edit_and_a_revision_say_when_to_the_minute(client, login, scene):
    anna, thread, question = scene
    login(client, anna)

    english = client.get(f"/t/{thread.id}", headers={"Accept-Language": "en"}).text
    assert 'title="Jan 18, 2026, 10:00\u202fAM CET">edited<' in english
    italian = client.get(f"/p/{question.id}/revisions", headers={"Accept-Language": "it"}).text
    assert "18 gen 2026, 10:00 CET" in italian


def test_a_member_reads_times_in_the_time_zone_they_chose(client, login, csrf_token, scene):
    anna, thread, _ = scene
    login(client, anna)
    page = client.get("/settings", headers={"Accept-Language": "en"}).text
    assert '<option value="" selected>The community&#39;s (Europe/Rome)</option>' in page

    saved = client.post(
        "/settings/profile",
        data={
            "csrf_token": csrf_token(client),
            "display_name": "Anna",
            "language": "en",
            "time_zone": "America/New_York",
        },
    )
    assert saved.status_code == 200 and "Your profile has been saved." in saved.text
    assert '<option value="America/New_York" selected>New York</option>' in saved.text
    english = client.get(f"/t/{thread.id}").text
    assert 'title="Jan 18, 2026, 4:00\u202fAM EST">edited<' in english


def test_summer_time_follows_the_zones_rules():
    july = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert i18n.format_when(july, "it", ZoneInfo("Europe/Rome")) == "1 lug 2026, 14:00 CEST"
    assert i18n.format_when(july, "en", ZoneInfo("America/New_York")) == (
        "Jul 1, 2026, 8:00\u202fAM EDT"
    )
    assert i18n.format_when(july, "en") == "Jul 1, 2026, 12:00\u202fPM UTC"


def test_an_unknown_time_zone_is_refused_next_to_its_field(client, login, csrf_token, scene):
    anna, _, _ = scene
    login(client, anna)
    refused = client.post(
        "/settings/profile",
        data={
            "csrf_token": csrf_token(client),
            "display_name": "Anna",
            "language": "en",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    assert refused.status_code == 422
    assert 'id="f-time_zone-error" role="alert">Choose a time zone from the list' in refused.text


def test_the_leaderboard_names_its_week_and_month_in_the_readers_language(client, scene):
    def intro(period: str, language: str) -> str:
        page = client.get(f"/leaderboard?period={period}", headers={"Accept-Language": language})
        return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())

    assert "Week of Jan 19, 2026 (UTC)." in intro("week", "en")
    assert "Settimana del 19 gen 2026 (UTC)." in intro("week", "it")
    assert "Month of January 2026 (UTC)." in intro("month", "en")
    assert "Mese di gennaio 2026 (UTC)." in intro("month", "it")
