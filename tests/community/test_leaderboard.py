"""Leaderboards: who tops this week, this month and all time, overall and per category, by
points and by accepted solutions; the page and GET /api/v1/leaderboard."""

from datetime import UTC, datetime, timedelta

import pytest

from community import kudos, leaderboard, reputation, solutions
from community.models import ReputationReason, Role, Thread, User
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user

# A Thursday; its week starts on Monday 12 January 2026.
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def award(
    session,
    user: User,
    points: int,
    *,
    at: datetime = NOW,
    thread: Thread | None = None,
    reason: ReputationReason = ReputationReason.answer_kudos,
) -> None:
    assert user.id is not None
    reputation.award(session, user_id=user.id, points=points, reason=reason, at=at, thread=thread)
    session.commit()


def names(board: leaderboard.Leaderboard) -> list[str]:
    return [s.user.username for s in board.standings]


@pytest.fixture
def people(session, clock):
    return [make_user(session, clock, username=name) for name in ("anna", "bruno", "carla")]


def test_the_week_board_lists_the_most_points_first_and_ties_share_a_position(session, people):
    anna, bruno, carla = people
    award(session, anna, 20)
    award(session, bruno, 45)
    award(session, carla, 20)
    board = leaderboard.top(session, now=NOW, period="week")
    assert [(s.user.username, s.points, s.position) for s in board.standings] == [
        ("bruno", 45, 1),
        ("carla", 20, 2),
        ("anna", 20, 2),
    ]
    assert board.key == "w2026-01-12"
    assert board.starts_at == datetime(2026, 1, 12, tzinfo=UTC)
    assert board.ends_at == datetime(2026, 1, 19, tzinfo=UTC)


def test_points_of_last_week_count_this_month_and_all_time_but_not_this_week(session, people):
    anna, bruno, _ = people
    award(session, anna, 30, at=NOW - timedelta(days=7))  # Thursday of the week before
    award(session, bruno, 10)
    assert names(leaderboard.top(session, now=NOW, period="week")) == ["bruno"]
    assert names(leaderboard.top(session, now=NOW, period="month")) == ["anna", "bruno"]
    assert names(leaderboard.top(session, now=NOW, period="all")) == ["anna", "bruno"]


def test_a_new_month_starts_an_empty_month_board_while_the_week_goes_on(session, people):
    anna, bruno, _ = people
    # Saturday 31 January, late evening UTC; the week (from Monday 26) runs into February.
    award(session, anna, 30, at=datetime(2026, 1, 31, 23, 50, tzinfo=UTC))
    award(session, bruno, 10, at=datetime(2026, 2, 1, 0, 10, tzinfo=UTC))
    now = datetime(2026, 2, 1, 0, 30, tzinfo=UTC)
    assert names(leaderboard.top(session, now=now, period="month")) == ["bruno"]
    assert names(leaderboard.top(session, now=now, period="week")) == ["anna", "bruno"]
    january = leaderboard.top(session, now=NOW.replace(day=31), period="month")
    assert names(january) == ["anna"]
    assert (january.starts_at, january.ends_at) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
    )


def test_a_category_board_counts_only_points_earned_in_that_category(session, clock, people):
    anna, bruno, carla = people
    fibre = make_category(session, slug="fibre")
    mobile = make_category(session, slug="mobile")
    in_fibre = make_thread(session, clock, author=carla, category=fibre)
    in_mobile = make_thread(session, clock, author=carla, category=mobile)
    award(session, anna, 10, thread=in_fibre)
    award(session, bruno, 50, thread=in_mobile)
    award(session, bruno, 5, thread=in_fibre)
    fibre_board = leaderboard.top(session, now=NOW, period="week", category=fibre)
    assert [(s.user.username, s.points) for s in fibre_board.standings] == [
        ("anna", 10),
        ("bruno", 5),
    ]
    assert names(leaderboard.top(session, now=NOW, category=mobile)) == ["bruno"]
    assert names(leaderboard.top(session, now=NOW)) == ["bruno", "anna"]


def test_no_points_negative_points_and_deactivated_accounts_stay_off_the_board(session, people):
    anna, bruno, carla = people
    award(session, anna, 10)
    award(session, anna, -10, reason=ReputationReason.flag_upheld)  # back to 0
    award(session, bruno, -20, reason=ReputationReason.flag_upheld)
    award(session, carla, 500)
    carla.is_active = False
    session.add(carla)
    session.commit()
    assert leaderboard.top(session, now=NOW).standings == []


def test_the_brands_staff_stay_off_the_board(session, clock, people):
    anna = people[0]
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    award(session, moderator, 300)
    award(session, anna, 10)
    assert names(leaderboard.top(session, now=NOW)) == ["anna"]


def test_the_solutions_board_orders_by_accepted_answers_and_skips_members_without_one(
    session, clock, people
):
    anna, bruno, carla = people
    asker = make_user(session, clock, username="asker")
    category = make_category(session)
    make_user(session, clock)
    for helper, count in ((anna, 1), (bruno, 2)):
        for _ in range(count):
            thread = make_thread(session, clock, author=asker, category=category)
            answer = make_reply(session, clock, author=helper, thread=thread)
            solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    # Carla has more points but no accepted solution.
    award(session, carla, 100)
    board = leaderboard.top(session, now=clock.now(), by="solutions")
    assert [(s.user.username, s.solutions, s.points) for s in board.standings] == [
        ("bruno", 2, 30),
        ("anna", 1, 15),
    ]
    by_points = leaderboard.top(session, now=clock.now(), by="points")
    assert names(by_points)[:2] == ["carla", "bruno"]
    assert "asker" in names(by_points)  # +2 for each accepted answer


def test_kudos_given_through_the_service_move_the_board_and_a_withdrawal_moves_it_back(
    session, clock, people
):
    anna, bruno, carla = people
    thread = make_thread(session, clock, author=carla, category=make_category(session))
    answer = make_reply(session, clock, author=anna, thread=thread)
    kudos.give_kudos(session, Guardian(bruno), answer, clock=clock)
    board = leaderboard.top(session, now=clock.now())
    assert [(s.user.username, s.points, s.rank) for s in board.standings] == [
        ("anna", 10, "newcomer")
    ]
    kudos.withdraw_kudos(session, Guardian(bruno), answer, clock=clock)
    assert leaderboard.top(session, now=clock.now()).standings == []


def test_each_row_shows_the_members_rank_by_total_reputation(session, people):
    anna, _, _ = people
    award(session, anna, 600, at=NOW - timedelta(days=60))  # long ago: a guide by now
    award(session, anna, 10)
    (standing,) = leaderboard.top(session, now=NOW).standings
    assert (standing.points, standing.rank) == (10, "guide")


# --- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture
def ranked(session, clock, people):
    anna, bruno, carla = people
    fibre = make_category(session, slug="fibre")
    thread = make_thread(session, clock, author=carla, category=fibre)
    now = clock.now()
    award(session, anna, 45, at=now, thread=thread)
    award(session, bruno, 25, at=now)
    award(session, carla, 90, at=now - timedelta(days=40))
    award(session, bruno, 15, at=now, thread=thread, reason=ReputationReason.answer_accepted)
    return people


def test_api_lists_the_board_with_positions_points_solutions_and_rank(client, ranked):
    response = client.get("/api/v1/leaderboard")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "rank_position": 1,
                "username": "anna",
                "display_name": "Anna",
                "points": 45,
                "solutions": 0,
                "rank": "newcomer",
            },
            {
                "rank_position": 2,
                "username": "bruno",
                "display_name": "Bruno",
                "points": 40,
                "solutions": 1,
                "rank": "newcomer",
            },
        ],
        "period": "week",
        "category": None,
        "by": "points",
    }


def test_api_periods_categories_boards_and_limit(client, ranked):
    def usernames(**params: str) -> list[str]:
        response = client.get("/api/v1/leaderboard", params=params)
        assert response.status_code == 200, response.text
        return [item["username"] for item in response.json()["items"]]

    assert usernames(period="all") == ["carla", "anna", "bruno"]
    assert usernames(period="all", limit="1") == ["carla"]
    assert usernames(period="month") == ["anna", "bruno"]
    assert usernames(category="fibre") == ["anna", "bruno"]
    assert usernames(by="solutions") == ["bruno"]
    body = client.get("/api/v1/leaderboard?category=fibre&by=solutions&period=month").json()
    assert (body["category"], body["by"], body["period"]) == ("fibre", "solutions", "month")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=year", "period"),
        ("by=kudos", "by"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("category=nowhere", "category"),
    ],
)
def test_api_refuses_bad_parameters_with_422_and_says_which(client, ranked, query, field):
    response = client.get(f"/api/v1/leaderboard?{query}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in detail


def test_api_names_the_unknown_category(client, ranked):
    response = client.get("/api/v1/leaderboard?category=nowhere")
    assert response.json()["detail"] == "There is no category nowhere."


def test_page_shows_the_board_with_tabs_switch_and_category_select(client, ranked):
    page = client.get("/leaderboard")
    assert page.status_code == 200
    html = page.text
    assert html.index(">Anna</a>") < html.index(">Bruno</a>")
    assert ">Carla</a>" not in html  # her points are from last month
    assert 'href="/leaderboard"' in html  # the nav link
    assert 'href="/leaderboard?period=month"' in html
    assert 'href="/leaderboard?period=all"' in html
    assert 'href="/leaderboard?by=solutions"' in html
    assert '<option value="fibre"' in html

    all_time = client.get("/leaderboard?period=all&by=points").text
    assert all_time.index(">Carla</a>") < all_time.index(">Bruno</a>")
    assert "Newcomer" in all_time

    fibre = client.get("/leaderboard?category=fibre&by=solutions").text
    assert ">Bruno</a>" in fibre and ">Anna</a>" not in fibre
    assert '<option value="fibre" selected>' in fibre
    # Switching the period keeps the category and the board.
    assert 'href="/leaderboard?period=month&amp;by=solutions&amp;category=fibre"' in fibre


def test_page_with_unknown_options_shows_the_default_board_and_says_so(client, ranked):
    page = client.get("/leaderboard?period=year&category=nowhere")
    assert page.status_code == 200
    assert "Unknown leaderboard option year, nowhere" in page.text
    assert ">Anna</a>" in page.text


def test_page_of_an_empty_board_invites_to_answer(client, people):
    page = client.get("/leaderboard?period=month")
    assert page.status_code == 200
    assert "Nobody is on this board yet" in page.text


def _row(html: str, name: str) -> str:
    start = html.rindex("<tr", 0, html.index(f">{name}</a>"))
    return html[start : html.index("</tr>", start)]


def test_page_writes_the_other_figure_under_each_name_for_phones(client, ranked):
    """A phone shows rank, member and the figure the board ranks by; the other figure, whose
    column it drops, is written under the name."""
    by_points = client.get("/leaderboard").text
    bruno = _row(by_points, "Bruno")
    assert '<span class="secondary-figure-inline muted">1 solution</span>' in bruno
    assert '<td class="num strong">40</td>' in bruno
    assert '<td class="num secondary-figure">1</td>' in bruno

    by_solutions = client.get("/leaderboard?by=solutions").text
    bruno = _row(by_solutions, "Bruno")
    assert '<span class="secondary-figure-inline muted">40 points</span>' in bruno
    assert '<td class="num secondary-figure">40</td>' in bruno
    assert '<td class="num strong">1</td>' in bruno
