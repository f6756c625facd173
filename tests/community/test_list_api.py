import pytest

from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user, set_thread
from tests.helpers import login


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    """These tests post many threads within one wall-clock second."""
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 10_000)


@pytest.fixture
def forum(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    broadband = make_category(session, slug="broadband", position=2)
    billing = make_category(session, slug="billing", position=1)
    threads = []
    for n in range(7):
        if n % 2 == 0:
            clock.advance(minutes=1)
        thread = make_thread(
            session,
            clock,
            author=asker,
            category=broadband if n < 5 else billing,
            title=f"Question number {n}",
            tags=["wifi"] if n == 0 else [],
        )
        set_thread(session, thread, kudos_count=n % 2)
        threads.append(thread)
    make_reply(session, clock, author=helper, thread=threads[1])
    set_thread(session, threads[3], solved_at=clock.now())
    return {"asker": asker, "helper": helper, "threads": threads, "broadband": broadband}


def test_categories_in_position_order_with_counts(client, forum):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["slug"] for c in items] == ["billing", "broadband"]
    broadband = items[1]
    assert set(broadband) == {
        "id",
        "slug",
        "name",
        "description",
        "descriptions",
        "position",
        "thread_count",
        "post_count",
        "last_activity_at",
    }
    assert (broadband["thread_count"], broadband["post_count"]) == (5, 6)
    assert broadband["last_activity_at"].endswith(("Z", "+00:00"))


def test_thread_summaries_have_the_documented_shape(client, forum):
    body = client.get("/api/v1/threads", params={"category": "broadband", "sort": "newest"}).json()
    assert set(body) == {"items", "next_cursor"}
    assert body["next_cursor"] is None
    first = forum["threads"][0]
    summary = next(item for item in body["items"] if item["id"] == first.id)
    assert summary == {
        "id": first.id,
        "title": "Question number 0",
        "category": {"id": forum["broadband"].id, "slug": "broadband", "name": "Broadband"},
        "author": {"id": forum["asker"].id, "username": "asker", "display_name": "Asker"},
        "tags": ["wifi"],
        "reply_count": 0,
        "kudos_count": 0,
        "solved": False,
        "answered": False,
        "deleted": False,
        "hidden": False,
        "created_at": summary["created_at"],
        "last_activity_at": summary["last_activity_at"],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filter": "unanswered", "category": "broadband"}, [4, 3, 2, 0]),
        ({"filter": "solved"}, [3]),
        ({"filter": "unsolved", "category": "broadband"}, [1, 4, 2, 0]),
        ({"sort": "kudos", "category": "broadband"}, [3, 1, 4, 2, 0]),
        ({"sort": "newest"}, [6, 5, 4, 3, 2, 1, 0]),
    ],
)
def test_filters_and_sorts(client, forum, params, expected):
    body = client.get("/api/v1/threads", params=params).json()
    assert [item["id"] for item in body["items"]] == [forum["threads"][n].id for n in expected]


def test_cursor_walks_every_thread_once(client, forum):
    seen: list[int] = []
    params: dict[str, str | int] = {"sort": "kudos", "limit": 2}
    while True:
        body = client.get("/api/v1/threads", params=params).json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted(t.id for t in forum["threads"])
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filter": "everything"}, "filter"),
        ({"sort": "loudest"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_bad_parameters_are_422_with_a_clear_message(client, forum, params, field):
    response = client.get("/api/v1/threads", params=params)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_malformed_cursor_is_422(client, forum):
    response = client.get("/api/v1/threads", params={"cursor": "bm90IGEgY3Vyc29y"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("This page link is broken")


def test_unknown_category_is_404(client, forum):
    response = client.get("/api/v1/threads", params={"category": "nope"})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_deleted_threads_are_left_out(client, session, clock, forum):
    set_thread(session, forum["threads"][0], deleted_at=clock.now())
    ids = [item["id"] for item in client.get("/api/v1/threads").json()["items"]]
    assert forum["threads"][0].id not in ids and len(ids) == 6


def test_my_threads_is_401_without_sign_in_and_lists_mine_with_it(client, forum):
    response = client.get("/api/v1/my/threads")
    assert response.status_code == 401
    assert response.json()["detail"]

    login(client, forum["helper"])
    replied = client.get("/api/v1/my/threads", params={"tab": "replied"}).json()
    assert [item["id"] for item in replied["items"]] == [forum["threads"][1].id]
    assert client.get("/api/v1/my/threads").json() == {"items": [], "next_cursor": None}


def test_openapi_documents_the_choices(client):
    spec = client.get("/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/threads"]["get"]["parameters"]}
    assert parameters["filter"]["schema"]["enum"] == ["all", "unanswered", "unsolved", "solved"]
    assert parameters["sort"]["schema"]["enum"] == ["activity", "newest", "kudos"]
    assert parameters["limit"]["schema"]["anyOf"][0]["maximum"] == 100
