"""The care dashboard and its CSV export: who may see them, filters in the URL, clear errors."""

import csv
import io
import re
from datetime import timedelta

import pytest

from community import events
from community.models import Role
from moderation.analytics_routes import share
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import login


@pytest.fixture
def world(session, clock):
    fibre = make_category(session, slug="fibra")
    mobile = make_category(session, slug="mobile")
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    old = make_thread(session, clock, author=asker, category=fibre, title="Old fibre question")
    clock.advance(days=10)
    recent = make_thread(session, clock, author=asker, category=mobile, title="New SIM question")
    clock.advance(minutes=30)
    make_reply(session, clock, author=helper, thread=recent)
    events.drain(session, now=clock.now(), consumers=["care"])  # the figures' worker
    return {"moderator": moderator, "member": helper, "old": old, "recent": recent}


def test_members_and_visitors_cannot_see_the_figures(client, world):
    assert client.get("/care/analytics", follow_redirects=False).status_code == 303
    login(client, world["member"])
    assert client.get("/care/analytics").status_code == 403
    assert client.get("/api/v1/analytics.csv").status_code == 403
    assert 'href="/care/analytics"' not in client.get("/").text


def test_the_dashboard_shows_the_figures_of_the_chosen_days(client, clock, world):
    login(client, world["moderator"])
    assert 'href="/care/analytics"' in client.get("/").text  # the staff links in the nav
    today = clock.now().date()
    page = client.get("/care/analytics")  # the last 28 days: both threads
    assert page.status_code == 200
    assert 'id="card-threads"' in page.text
    assert _card(page.text, "card-threads") == "2"
    assert _card(page.text, "card-response-rate") == "50%"
    assert "<svg" in page.text and "Show as a table" in page.text
    row = page.text[page.text.index('id="category-row-mobile"') :]
    cells = re.findall(r"<td>([^<]*)</td>", row[: row.index("</tr>")])
    # Mobile: one thread, answered after 30 minutes, unsolved, within its 24 h target.
    assert cells == ["Mobile", "1", "100%", "30 min", "0%", "0 (0%)"]
    last_week = client.get(
        "/care/analytics", params={"from": (today - timedelta(days=6)).isoformat()}
    )
    assert _card(last_week.text, "card-threads") == "1"
    assert _card(last_week.text, "card-response-rate") == "100%"
    only_fibre = client.get("/care/analytics", params={"category": "fibra"})
    assert _card(only_fibre.text, "card-threads") == "1"
    assert 'value="fibra" selected' in only_fibre.text


def test_wrong_filters_are_explained_next_to_the_field(client, world):
    login(client, world["moderator"])
    page = client.get("/care/analytics", params={"from": "24/11/2026", "category": "fibra"})
    assert page.status_code == 422
    assert 'id="from-error"' in page.text and "YYYY-MM-DD" in page.text
    assert 'value="fibra" selected' in page.text  # the rest of the form is kept
    assert 'id="card-threads"' not in page.text
    unknown = client.get("/care/analytics", params={"category": "nope"})
    assert unknown.status_code == 422 and 'id="category-error"' in unknown.text


def test_the_csv_holds_every_figure_with_the_same_filters(client, clock, world):
    login(client, world["moderator"])
    today = clock.now().date()
    response = client.get(
        "/api/v1/analytics.csv",
        params={"from": (today - timedelta(days=27)).isoformat(), "to": today.isoformat()},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "scope", "figure", "value"]
    values = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert values[("overall", "", "threads")] == "2"
    assert values[("overall", "", "response_rate")] == "0.5"
    assert values[("category", "mobile", "threads")] == "1"
    assert values[("overall", "", "first_response.median_seconds")] == "1800"
    assert values[("overall", "", "time_to_solution.median_seconds")] == ""  # nothing solved
    assert ("csat", "", "responses") in values
    week = world["recent"].created_at.date() - timedelta(days=world["recent"].created_at.weekday())
    assert values[("week", week.isoformat(), "threads")] == "1"
    assert ("language", "en", "threads") not in values  # no thread has a language yet
    assert values[("week", week.isoformat(), "response_rate")] == "1"
    bad = client.get("/api/v1/analytics.csv", params={"from": "2026-13-01"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]


AXIS_LABEL = re.compile(
    r'<text class="chart-axis" x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]*)<'
)
TICK_LABEL = re.compile(
    r'<text class="chart-axis" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<'
)


def test_weeks_are_dates_in_the_reader_s_language(client, world):
    login(client, world["moderator"])
    english = client.get("/care/analytics").text  # the 28 days to 2026-01-25
    italian = client.get("/care/analytics", headers={"Accept-Language": "it"}).text
    assert AXIS_LABEL.findall(_section(english, "chart-weeks")) == [
        "Dec 29",
        "Jan 5",
        "Jan 12",
        "Jan 19",
    ]
    assert AXIS_LABEL.findall(_section(italian, "chart-weeks")) == [
        "29 dic",
        "5 gen",
        "12 gen",
        "19 gen",
    ]
    assert '<td><time datetime="2026-01-19">Jan 19, 2026</time></td>' in english
    assert '<td><time datetime="2026-01-19">19 gen 2026</time></td>' in italian
    assert 'id="week-row-2026-01-19"' in italian  # ids stay ISO
    assert "Tasso di risposta del brand</text>" in italian  # the legend too
    for page in (english, italian):
        charts = re.findall(r'<svg class="chart".*?</svg>', page, flags=re.S)
        assert charts
        for svg in charts:
            ticks = TICK_LABEL.findall(svg)
            assert len(ticks) == len(set(ticks)) >= 2


def test_each_per_category_chart_is_named_above_it(client, world):
    login(client, world["moderator"])
    italian = _section(
        client.get("/care/analytics", headers={"Accept-Language": "it"}).text, "chart-categories"
    )
    headings = re.findall(r"<h3>([^<]+)</h3>\s*<svg", italian)
    assert headings == ["Tasso di risposta", "Violazioni dei livelli di servizio"]


def test_the_top_solvers_are_called_members_not_the_advocates_of_the_advocate_programme(
    client, world
):
    # Any member counts here; "advocates" (ambasciatori) are the members staff appoint at
    # /mod/advocates, and nobody is one in this world.
    login(client, world["moderator"])
    italian = _section(
        client.get("/care/analytics", headers={"Accept-Language": "it"}).text, "top-advocates"
    )
    assert "Membri con più soluzioni accettate" in italian
    assert "Nessun membro ha avuto una risposta accettata in questi giorni." in italian
    assert "mbasciator" not in italian


def test_the_solved_share_is_headed_in_the_plural_it_counts_in(client, world):
    # "Solved" on a thread is "Risolta"; above a share of threads it must be plural.
    login(client, world["moderator"])
    italian = client.get("/care/analytics", headers={"Accept-Language": "it"}).text
    card = italian.split('id="card-solved"')[1].split("</article>")[0]
    assert "<h2>Discussioni risolte</h2>" in card
    assert "risolte dalla community:" in card
    assert "<th>Risolta</th>" not in italian


def test_the_csv_stays_machine_readable_for_italian_readers(client, world):
    login(client, world["moderator"])
    english = client.get("/api/v1/analytics.csv").text
    italian = client.get("/api/v1/analytics.csv", headers={"Accept-Language": "it"}).text
    assert italian == english
    values = {(r[0], r[1], r[2]): r[3] for r in csv.reader(io.StringIO(italian))}
    assert values[("range", "", "from")] == "2025-12-29"
    assert values[("week", "2026-01-19", "threads")] == "1"  # ISO weeks, not "19 gen 2026"
    assert values[("overall", "", "response_rate")] == "0.5"  # a decimal point, not "0,5"
    assert values[("overall", "", "first_response.median_seconds")] == "1800"  # not "30 min"


def test_durations_read_in_the_reader_s_language(client, clock, session):
    category = make_category(session, slug="fibra")
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    thread = make_thread(session, clock, author=asker, category=category)
    clock.advance(days=2, hours=4)
    make_reply(session, clock, author=helper, thread=thread)
    events.drain(session, now=clock.now(), consumers=["care"])
    login(client, moderator)
    english = client.get("/care/analytics").text
    assert _card(english, "card-first-response") == "2 d 4 h"
    assert "90th percentile: 2 d 4 h" in english
    assert _card(english, "card-time-to-solution") == "—"  # nothing solved
    italian = client.get("/care/analytics", headers={"Accept-Language": "it"}).text
    assert _card(italian, "card-first-response") == "2 g 4 h"
    row = italian[italian.index('id="category-row-fibra"') :]
    assert "<td>2 g 4 h</td>" in row[: row.index("</tr>")]


def test_shares_read_as_percentages():
    assert (share(None), share(0.5), share(1.0)) == ("—", "50%", "100%")


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _card(page: str, card_id: str) -> str:
    start = page.index(f'id="{card_id}"')
    value = page.index('class="figure-value">', start) + len('class="figure-value">')
    return page[value : page.index("</p>", value)].strip()
