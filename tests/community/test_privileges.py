"""Ranks and the privileges they unlock, enforced by the services."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from community import kudos, posting, ranks, solutions, visibility
from community.errors import Forbidden
from community.events import OutboxEvent
from community.models import HiddenReason, Post, Role, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login

SPAM = "Best prices here: https://cheap-pills.example/buy"


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 100_000)


def test_ranks_follow_the_thresholds_and_show_progress():
    assert ranks.rank_for(0) == ranks.Rank.newcomer
    assert ranks.rank_for(49) == ranks.Rank.newcomer
    assert ranks.rank_for(50) == ranks.Rank.contributor
    assert ranks.rank_for(1000) == ranks.Rank.expert
    bar = ranks.progress(125)
    assert (bar.rank, bar.next_rank, bar.percent, bar.to_go) == (
        ranks.Rank.contributor,
        ranks.Rank.trusted,
        50,
        75,
    )
    assert ranks.progress(5000).next_rank is None and ranks.progress(5000).percent == 100


def test_a_newcomers_first_posts_with_links_wait_for_a_moderator(session, clock, client):
    newcomer = make_user(session, clock, username="newbie")
    category = make_category(session)
    thread = make_thread(session, clock, author=newcomer, category=category, body=SPAM)
    assert thread.hidden_reason == HiddenReason.awaiting_approval
    events = [e.name for e in session.exec(select(OutboxEvent))]
    assert "thread_hidden" in events  # moderation puts it in the queue
    other = make_user(session, clock, username="other")
    assert not Guardian(other).can_see_thread(thread)
    login(client, newcomer)
    page = client.get(f"/t/{thread.id}").text
    assert "posts with links from new members wait for a moderator" in page


def test_mentions_and_plain_posts_go_out_at_once(session, clock):
    newcomer = make_user(session, clock, username="newbie")
    make_user(session, clock, username="helper")
    thread = make_thread(
        session,
        clock,
        author=newcomer,
        category=make_category(session),
        body="Thanks @helper, it works now!",
    )
    reply = make_reply(session, clock, author=newcomer, thread=thread, body="See [the FAQ](/t/1)")
    assert thread.hidden_at is None and reply.hidden_at is None


def test_three_posts_out_or_the_contributor_rank_lift_the_review(session, clock):
    newcomer = make_user(session, clock, username="newbie")
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    for _ in range(3):
        make_reply(session, clock, author=newcomer, thread=thread)
    assert make_reply(session, clock, author=newcomer, thread=thread, body=SPAM).hidden_at is None
    contributor = make_user(session, clock, username="contrib")
    contributor.reputation = get_settings().rank_contributor
    session.add(contributor)
    session.commit()
    held = make_reply(session, clock, author=asker, thread=thread, body="my site www.example.org")
    assert held.hidden_reason == HiddenReason.awaiting_approval  # asker has one post out
    assert (
        make_reply(session, clock, author=contributor, thread=thread, body=SPAM).hidden_at is None
    )
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    assert make_reply(session, clock, author=moderator, thread=thread, body=SPAM).hidden_at is None


def test_an_active_helpful_newcomer_reaches_the_first_privileges_within_a_week(session, clock):
    """Two answers a day, each thanked once, one accepted every other day: the defaults must
    let such a member past the link review and to the contributor rank in days, not weeks."""
    helper = make_user(session, clock, username="helper")
    category = make_category(session)
    askers = [make_user(session, clock, username=f"asker{n}") for n in range(14)]
    reached: dict[ranks.Rank, int] = {}
    for day in range(7):
        for n in range(2):
            asker = askers[day * 2 + n]
            thread = make_thread(
                session, clock, author=asker, category=category, title=f"Question {day} {n}"
            )
            answer = make_reply(session, clock, author=helper, thread=thread)
            kudos.give_kudos(session, Guardian(asker), answer, clock=clock)
            if n == 0 and day % 2 == 0:
                solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
        session.refresh(helper)
        reached.setdefault(ranks.rank_for(helper.reputation), day + 1)
        clock.advance(timedelta(days=1))
    assert reached.get(ranks.Rank.contributor, 99) <= 3
    assert reached.get(ranks.Rank.trusted, 99) <= 7
    assert ranks.links_without_review(_fresh(session, helper))


def _fresh(session, user: User) -> User:
    session.refresh(user)
    return user


def test_privilege_checks_for_flags_titles_and_duplicates(session, clock):
    member = make_user(session, clock, username="member")
    assert ranks.flag_weight(member) == 1.0
    assert not ranks.edits_any_title_and_tags(member) and not ranks.marks_duplicates(member)
    settings = get_settings()
    member.reputation = settings.rank_trusted
    assert ranks.flag_weight(member) == settings.trusted_flag_weight
    member.reputation = settings.rank_guide
    assert ranks.edits_any_title_and_tags(member) and not ranks.marks_duplicates(member)
    member.reputation = settings.rank_expert
    assert ranks.marks_duplicates(member)


def _with_reputation(session, user: User, points: int) -> User:
    user.reputation = points
    session.add(user)
    session.commit()
    return user


def test_guides_fix_anyones_title_and_tags_but_not_their_words(session, clock, client):
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    question = session.get(Post, thread.last_post_id)
    member = make_user(session, clock, username="member")
    with pytest.raises(Forbidden):
        posting.edit_post(
            session, Guardian(member), question, body=question.body, title="Better", clock=clock
        )
    guide = _with_reputation(session, make_user(session, clock, username="guide"), 500)
    with pytest.raises(Forbidden):
        posting.edit_post(session, Guardian(guide), question, body="My words now", clock=clock)
    login(client, guide)
    page = client.get(f"/t/{thread.id}").text
    assert "Edit title and tags" in page
    form = client.get(f"/p/{question.id}/edit").text
    assert "Edit the title and tags" in form and 'name="body"' not in form
    response = client.post(
        f"/p/{question.id}/edit",
        data={"csrf_token": csrf_token(client), "title": "Fibre drops at 9 pm", "tags": "fibra"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.refresh(thread)
    session.refresh(question)
    assert (thread.title, thread.tags) == ("Fibre drops at 9 pm", "fibra")
    assert question.body == "Since Monday the connection drops around 9 pm. What can I check?"
    assert question.revision_count == 1  # the old title is kept as a revision


def test_each_editor_is_told_why_by_their_own_role(session, clock, client):
    """A moderator is no Guide (their rank may be lower): a Guide may retitle the question, a
    moderator may change its words too, and each form says which."""
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    guide = _with_reputation(session, make_user(session, clock, username="guide"), 500)
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    login(client, guide)
    form = client.get(f"/p/{thread.last_post_id}/edit").text
    assert "As a Guide you may" in form and 'name="body"' not in form
    login(client, moderator)
    form = client.get(f"/p/{thread.last_post_id}/edit").text
    assert "As a moderator you are changing someone else&#39;s words" in form
    assert 'name="body"' in form and "As a Guide" not in form


IBAN = "IT60X0542811101000000123456"


@pytest.mark.parametrize("reason", list(HiddenReason))
def test_guides_can_neither_read_nor_retitle_a_question_hidden_from_them(
    session, clock, client, reason
):
    asker = make_user(session, clock, username="asker")
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(
        session, clock, author=asker, category=make_category(session), body=f"My IBAN is {IBAN}"
    )
    question = session.get(Post, thread.last_post_id)
    visibility.hide_post(session, question, reason=reason, by_id=moderator.id, now=clock.now())
    session.commit()
    guide = _with_reputation(session, make_user(session, clock, username="guide"), 5000)
    login(client, guide)
    page = client.get(f"/t/{thread.id}").text
    assert IBAN not in page and "Edit title and tags" not in page
    for response in (
        client.get(f"/p/{question.id}/edit"),
        client.get(f"/p/{question.id}/revisions"),
        client.get(f"/api/v1/posts/{question.id}"),
        client.post(
            f"/p/{question.id}/edit",
            data={"csrf_token": csrf_token(client), "title": "Retitled by the guide", "tags": ""},
        ),
        client.put(
            f"/api/v1/posts/{question.id}",
            json={"body": question.body, "title": "Retitled by the guide"},
            headers={"X-CSRF-Token": csrf_token(client)},
        ),
    ):
        assert response.status_code == 404, response.request.url
        assert IBAN not in response.text
    with pytest.raises(Forbidden):
        posting.edit_post(
            session, Guardian(guide), question, body=question.body, title="Retitled", clock=clock
        )
    session.refresh(thread)
    assert thread.title == "My fibre drops every evening"


def test_experts_mark_duplicates_and_readers_are_led_to_the_original(session, clock, client):
    asker = make_user(session, clock, username="asker")
    category = make_category(session)
    original = make_thread(session, clock, author=asker, category=category, title="Fibre drops")
    again = make_thread(session, clock, author=asker, category=category, title="Fibre drops again")
    guide = _with_reputation(session, make_user(session, clock, username="guide"), 500)
    login(client, guide)
    token = csrf_token(client)
    refused = client.post(
        f"/api/v1/threads/{again.id}/duplicate",
        json={"original_id": original.id},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403 and "Expert" in refused.json()["detail"]
    _with_reputation(session, guide, 1000)
    # The form opens in a panel over the page, so the question's action bar keeps its shape.
    own_view = client.get(f"/t/{again.id}").text
    assert f'popovertarget="duplicate-panel-{again.id}">Mark as duplicate</button>' in own_view
    assert f'<div id="duplicate-panel-{again.id}" class="action-panel" popover' in own_view
    itself = client.post(
        f"/api/v1/threads/{again.id}/duplicate",
        json={"original_id": again.id},
        headers={"X-CSRF-Token": token},
    )
    assert itself.status_code == 422
    marked = client.post(
        f"/t/{again.id}/duplicate",
        data={"csrf_token": token, "original": f"https://forum.example/t/{original.id}/fibre"},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert client.get(f"/api/v1/threads/{again.id}").json()["duplicate_of_id"] == original.id
    reader = TestClient(
        client.app, base_url="https://testserver", headers={"Accept-Language": "en"}
    )
    page = reader.get(f"/t/{again.id}").text
    assert "This question already has an answer here:" in page
    assert f'href="/t/{original.id}">Fibre drops</a>' in page
    assert "Not a duplicate" not in page
    bad = client.post(f"/t/{original.id}/duplicate", data={"csrf_token": token, "original": "x"})
    assert bad.status_code == 422 and "link or the number" in bad.text
    removed = client.delete(
        f"/api/v1/threads/{again.id}/duplicate", headers={"X-CSRF-Token": token}
    )
    assert removed.status_code == 204
    assert "already has an answer" not in reader.get(f"/t/{again.id}").text


def test_a_reply_waiting_for_approval_answers_nobody_until_approved(session, clock):
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    clock.advance(hours=30)
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=SPAM)
    session.refresh(thread)
    assert held.hidden_reason == HiddenReason.awaiting_approval
    assert thread.first_response_at is None  # still unanswered for the queue and advocates
    session.refresh(newcomer)
    assert newcomer.reputation == 0  # no rescue for a reply nobody can read
    assert asker.id is not None
    visibility.unhide_post(session, held, by_id=asker.id, now=clock.now())  # answers the thread
    session.commit()
    assert thread.first_response_at == held.created_at
