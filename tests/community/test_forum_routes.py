"""The thread page and its forms, through HTTP, as members, moderators and visitors see them."""

import re
from html.parser import HTMLParser

import pytest
from sqlmodel import func, select

from community import kudos, posting, solutions
from community.models import Kudos, Post, PostRevision, Role, Solution, Thread
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login

HTMX = {"HX-Request": "true"}
QUESTION = "My modem restarts every night."


@pytest.fixture
def scene(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="fibra")
    thread = make_thread(session, clock, author=asker, category=category, tags=["fibre"])
    reply = make_reply(session, clock, author=helper, thread=thread, body="Restart the **modem**.")
    return asker, helper, category, thread, reply


def _count(session, model) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


def _question(session, thread: Thread) -> Post:
    post: Post = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    return post


def _post_form(client, url: str, data: dict[str, str] | None = None, **kwargs):
    return client.post(
        url,
        data={"csrf_token": csrf_token(client), **(data or {})},
        follow_redirects=False,
        **kwargs,
    )


class _ActiveContent(HTMLParser):
    """Collects what a browser would run: scripts, on* handlers, javascript:/data: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {values}>")
        for name, value in attrs:
            url = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and url.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def _no_active_content(html: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    assert parser.found == []


# Asking ---------------------------------------------------------------------------------------


def test_asking_needs_an_account(client, session):
    response = client.get("/t/new?category=fibra", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/t/new%3Fcategory%3Dfibra"


def test_new_thread_form_preselects_the_category(client, session, clock, scene):
    asker, *_ = scene
    make_category(session, slug="mobile")
    login(client, asker)
    page = client.get("/t/new?category=fibra").text
    assert '<option value="fibra" selected>' in page
    assert '<option value="mobile">' in page


def test_asking_a_question_opens_its_thread(client, session, clock, scene):
    asker, *_ = scene
    login(client, asker)
    response = _post_form(
        client,
        "/t/new",
        {
            "category": "fibra",
            "title": "Wi-Fi slow upstairs",
            "body": "The *second* floor gets 2 Mbit.",
            "tags": "wifi, Modem  wifi",
        },
    )
    assert response.status_code == 303
    thread = session.exec(select(Thread).where(Thread.title == "Wi-Fi slow upstairs")).one()
    assert response.headers["location"] == f"/t/{thread.id}"
    assert thread.tags == "wifi modem"
    page = client.get(f"/t/{thread.id}").text
    assert "<em>second</em>" in page
    assert "#wifi" in page and "#modem" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "at least"),
        (
            {"body": " Help!\n\n   Help! "},
            "body",
            "Describe your question in at least 20 characters.",
        ),
        ({"body": "x" * 200_000}, "body", "too long"),
        ({"category": "nowhere"}, "category", "nowhere"),
        ({"category": ""}, "category", "Choose a category"),
        ({"tags": "ok <script>alert(1)</script>"}, "tags", "Tags use letters"),
    ],
)
def test_refused_questions_come_back_with_the_message_by_the_field(
    client, session, clock, scene, data, field, message
):
    asker, *_ = scene
    login(client, asker)
    threads, posts = _count(session, Thread), _count(session, Post)
    form = {"category": "fibra", "title": "A perfectly fine title", "body": QUESTION, **data}
    response = _post_form(client, "/t/new", form)
    assert response.status_code == 422
    error = re.search(
        rf'<small class="field-error" id="f-{field}-error"[^>]*>([^<]*)</small>', response.text
    )
    assert error is not None and message in error.group(1)
    if field not in ("title", "body"):  # what the member typed is still there
        assert 'value="A perfectly fine title"' in response.text
        assert f"{QUESTION}</textarea>" in response.text
    _no_active_content(response.text)
    assert (_count(session, Thread), _count(session, Post)) == (threads, posts)


def test_every_bad_field_is_reported_at_once(client, session, clock, scene):
    asker, *_ = scene
    login(client, asker)
    response = _post_form(client, "/t/new", {"category": "", "title": "", "body": ""})
    assert response.status_code == 422
    for field in ("category", "title", "body"):
        assert f'id="f-{field}-error"' in response.text


def test_posting_too_fast_gets_429_and_keeps_the_text(client, session, clock, scene):
    asker, _, _, thread, _ = scene
    login(client, asker)
    for _ in range(get_settings().posts_limit_per_minute - 1):  # the opening post was one
        assert _post_form(client, f"/t/{thread.id}/posts", {"body": "More info"}).status_code == 303
    response = _post_form(client, f"/t/{thread.id}/posts", {"body": "One too many"})
    assert response.status_code == 429
    assert "too fast" in response.text
    assert "One too many</textarea>" in response.text
    response = _post_form(
        client,
        "/t/new",
        {"category": "fibra", "title": "Another question", "body": "Hello, another question here."},
    )
    assert response.status_code == 429
    assert "too fast" in response.text


# Reading --------------------------------------------------------------------------------------


def test_thread_page_shows_question_solution_then_replies(client, session, clock, scene):
    asker, _helper, _, thread, reply = scene
    other = make_reply(session, clock, author=asker, thread=thread, body="Did not help.")
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    page = client.get(f"/t/{thread.id}").text
    question = page.index('id="post-1"')
    box = page.index('id="solution-box"')
    first_reply = page.index(f'id="post-{reply.id}"')
    assert question < box < first_reply < page.index(f'id="post-{other.id}"')
    solution_box = page[box:first_reply]
    assert "Accepted solution" in solution_box
    assert "Restart the modem." in solution_box  # the excerpt, as plain text
    assert f'href="/p/{reply.id}"' in solution_box
    assert 'href="/u/helper"' in solution_box
    assert "Solved" in page[:question]
    assert 'href="/c/fibra"' in page


def test_thread_urls(client, session, clock, scene):
    *_, thread, reply = scene
    assert client.get(f"/t/{thread.id}/my-fibre-drops-every-evening").status_code == 200
    assert client.get("/t/999999").status_code == 404
    assert client.get("/t/abc").status_code == 404  # more: tests/community/test_error_pages.py
    link = client.get(f"/p/{reply.id}", follow_redirects=False)
    assert link.headers["location"] == f"/t/{thread.id}#post-{reply.id}"


def test_views_are_counted_on_page_loads(client, session, clock, scene):
    *_, thread, _ = scene
    client.get(f"/t/{thread.id}")
    client.get(f"/t/{thread.id}")
    session.refresh(thread)
    assert thread.view_count == 2


def test_staff_chip_and_escaped_display_names(client, session, clock, scene):
    *_, thread, _ = scene
    staff = make_user(session, clock, username="sara", role=Role.moderator)
    staff.display_name = "<b>Sara</b> <img src=x onerror=alert(1)>"
    session.add(staff)
    session.commit()
    make_reply(session, clock, author=staff, thread=thread, body="Official answer.")
    page = client.get(f"/t/{thread.id}").text
    assert "&lt;b&gt;Sara&lt;/b&gt;" in page
    assert 'class="chip staff"' in page
    _no_active_content(page)


def test_xss_in_title_body_and_tags_is_inert(client, session, clock, scene):
    asker, *_ = scene
    login(client, asker)
    body = "\n\n".join(
        [
            "<script>alert(1)</script>",
            '<img src=x onerror="alert(2)">',
            "[click](javascript:alert(3))",
            "![pixel](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
            '<a href="javascript:alert(4)">raw</a>',
            "[data](data:text/html,<script>alert(5)</script>)",
        ]
    )
    response = _post_form(
        client,
        "/t/new",
        {
            "category": "fibra",
            "title": '"><script>alert(document.cookie)</script>',
            "body": body,
            "tags": "safe",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in page
    _no_active_content(page)
    # Tags that could carry markup never get stored.
    bad_tag = _post_form(
        client,
        "/t/new",
        {
            "category": "fibra",
            "title": "Tags test title",
            "body": QUESTION,
            "tags": '"><img src=x onerror=alert(1)>',
        },
    )
    assert bad_tag.status_code == 422 and 'id="f-tags-error"' in bad_tag.text
    _no_active_content(bad_tag.text)


def test_long_thread_has_three_pages(client, session, clock, scene):
    _asker, _, _, thread, _ = scene
    helpers = [make_user(session, clock) for _ in range(5)]
    for n in range(44):  # 45 replies with the scene's one
        make_reply(
            session, clock, author=helpers[n % 5], thread=thread, body=f"Reply number {n + 3}"
        )
    per_page = get_settings().posts_per_page
    first = client.get(f"/t/{thread.id}").text
    assert "45 replies" in first
    assert 'aria-current="page">1<' in first
    assert f'href="/t/{thread.id}?page=3"' in first
    third = client.get(f"/t/{thread.id}?page=3").text
    numbers = [int(n) for n in re.findall(r'class="post-number muted"[^>]*>#(\d+)<', third)]
    assert numbers == [1, *range(2 + 2 * per_page, 47)]  # the question heads every page
    assert "Reply number 46" in third and "Reply number 21" not in third
    assert client.get(f"/t/{thread.id}?page=4").status_code == 404
    assert client.get(f"/t/{thread.id}?page=0").status_code == 422


# Replying -------------------------------------------------------------------------------------


def test_reply_without_js_redirects_to_the_new_post(client, session, clock, scene):
    _, helper, _, thread, _ = scene
    login(client, helper)
    response = _post_form(client, f"/t/{thread.id}/posts", {"body": "Check the cable too."})
    assert response.status_code == 303
    post = session.exec(select(Post).where(Post.post_number == 3)).one()
    assert response.headers["location"] == f"/t/{thread.id}#post-{post.id}"


def test_reply_with_htmx_returns_a_fresh_form_and_the_new_post(client, session, clock, scene):
    _, helper, _, thread, _ = scene
    login(client, helper)
    response = _post_form(
        client, f"/t/{thread.id}/posts", {"body": "Check the *cable*.", "page": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.startswith('<section id="reply-form"')
    assert '<div hx-swap-oob="beforeend:#replies"><article id="post-' in response.text
    assert "<em>cable</em>" in response.text


def test_empty_reply_is_refused_with_the_message_in_the_form(client, session, clock, scene):
    _, helper, _, thread, _ = scene
    login(client, helper)
    posts = _count(session, Post)
    response = _post_form(client, f"/t/{thread.id}/posts", {"body": "   "})
    assert response.status_code == 422
    assert 'id="reply-error"' in response.text and "empty" in response.text
    htmx = _post_form(client, f"/t/{thread.id}/posts", {"body": ""}, headers=HTMX)
    assert htmx.status_code == 422
    assert htmx.text.startswith('<section id="reply-form"')
    assert _count(session, Post) == posts


def test_visitors_see_a_login_prompt_and_cannot_reply(client, session, clock, scene):
    *_, thread, _ = scene
    page = client.get(f"/t/{thread.id}").text
    assert f'href="/login?next=/t/{thread.id}"' in page
    assert 'name="body"' not in page


# Editing --------------------------------------------------------------------------------------


def test_author_edits_and_history_is_kept(client, session, clock, scene):
    asker, _, _, thread, _ = scene
    question = _question(session, thread)
    login(client, asker)
    form = client.get(f"/p/{question.id}/edit").text
    assert 'value="My fibre drops every evening"' in form
    assert 'value="fibre"' in form
    clock.advance(minutes=10)
    response = _post_form(
        client,
        f"/p/{question.id}/edit",
        {
            "title": "My fibre drops every night",
            "body": "Updated details: it drops at 9 pm.",
            "tags": "fibre night",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/t/{thread.id}").text
    assert "My fibre drops every night" in page and "Updated details: it drops at 9 pm." in page
    assert f'href="/p/{question.id}/revisions" class="edited"' in page
    history = client.get(f"/p/{question.id}/revisions").text
    assert "Version 2" in history and "Version 1" in history
    assert "Since Monday the connection drops" in history
    assert "My fibre drops every evening" in history


def test_a_saved_edit_says_so_once_in_the_readers_language(client, session, clock, scene):
    _, helper, _, _, reply = scene
    login(client, helper)
    refused = _post_form(client, f"/p/{reply.id}/edit", {"body": "  "})
    assert refused.status_code == 422 and "Edit saved." not in refused.text
    for language, message in (("en", "Edit saved."), ("it", "Modifica salvata.")):
        saved = _post_form(
            client,
            f"/p/{reply.id}/edit",
            {"body": f"Restart the modem ({language})."},
            headers={"Accept-Language": language},
        )
        assert saved.status_code == 303
        post_page = saved.headers["location"]
        assert f'<p class="flash">{message}</p>' in client.get(post_page).text
        assert message not in client.get(post_page).text  # once


def test_a_refused_edit_never_reads_as_the_earlier_saved_one(client, session, clock, scene):
    """The first save's redirect is never followed (a double click, a script), so its confirmation
    still waits when the next submission is refused: the refusal must not show it."""
    _, helper, _, _, reply = scene
    login(client, helper)
    token, edit = csrf_token(client), f"/p/{reply.id}/edit"  # the token's page would show it
    once = {"follow_redirects": False}
    saved = client.post(edit, data={"csrf_token": token, "body": "Restart the modem."}, **once)
    assert saved.status_code == 303
    refused = client.post(edit, data={"csrf_token": token, "body": "  "}, **once)
    assert refused.status_code == 422 and "Edit saved." not in refused.text
    assert "Edit saved." not in client.get(f"/t/{reply.thread_id}").text


def test_edit_form_errors_keep_the_text(client, session, clock, scene):
    asker, _, _, thread, _ = scene
    question = _question(session, thread)
    login(client, asker)
    response = _post_form(
        client, f"/p/{question.id}/edit", {"title": "short", "body": "Kept text", "tags": ""}
    )
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.text
    assert "Kept text</textarea>" in response.text
    too_short = _post_form(
        client, f"/p/{question.id}/edit", {"title": "A fine title", "body": "Kept text", "tags": ""}
    )
    assert too_short.status_code == 422
    assert (
        '<small class="field-error" id="f-body-error" role="alert">'
        "Describe your question in at least 20 characters.</small>"
    ) in too_short.text
    assert _count(session, PostRevision) == 0


def test_member_cannot_edit_or_delete_anothers_post(client, session, clock, scene):
    asker, _, _, _thread, reply = scene
    login(client, asker)
    assert client.get(f"/p/{reply.id}/edit").status_code == 403
    assert _post_form(client, f"/p/{reply.id}/edit", {"body": "Hijacked"}).status_code == 403
    assert _post_form(client, f"/p/{reply.id}/delete").status_code == 403
    assert client.get(f"/p/{reply.id}/revisions").status_code == 403
    session.refresh(reply)
    assert reply.body == "Restart the **modem**." and not reply.is_deleted


def test_visitors_are_sent_to_log_in_to_edit(client, session, clock, scene):
    *_, reply = scene
    response = client.get(f"/p/{reply.id}/edit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert _post_form(client, f"/p/{reply.id}/delete").status_code == 401


# Deleting -------------------------------------------------------------------------------------


def test_moderator_deletes_a_reply_and_the_page_shows_a_placeholder(client, session, clock, scene):
    *_, thread, reply = scene
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    login(client, moderator)
    response = _post_form(client, f"/p/{reply.id}/delete")
    assert response.status_code == 303
    page = client.get(f"/t/{thread.id}").text
    article = page[page.index(f'id="post-{reply.id}"') :]
    article = article[: article.index("</article>")]
    assert "This post was deleted." in article
    assert "modem" not in article
    assert f'href="/p/{reply.id}/revisions"' in article  # "show original", for moderators
    assert "modem" in client.get(f"/p/{reply.id}/revisions").text


def test_members_see_the_placeholder_without_the_text(client, session, clock, scene):
    _, helper, _, thread, reply = scene
    posting.delete_post(session, Guardian(helper), reply, clock=clock)
    login(client, helper)
    page = client.get(f"/t/{thread.id}").text
    assert "This post was deleted." in page
    assert "modem" not in page
    assert client.get(f"/p/{reply.id}/revisions").status_code == 403


def test_htmx_delete_returns_the_placeholder(client, session, clock, scene):
    _, helper, _, _, reply = scene
    login(client, helper)
    response = _post_form(client, f"/p/{reply.id}/delete", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith(f'<article id="post-{reply.id}"')
    assert "This post was deleted." in response.text


def test_deleting_the_question_removes_the_thread_for_members(client, session, clock, scene):
    asker, _helper, _, thread, _ = scene
    login(client, asker)
    response = _post_form(client, f"/p/{_question(session, thread).id}/delete")
    assert response.status_code == 303
    assert response.headers["location"] == "/c/fibra"
    assert client.get(f"/t/{thread.id}").status_code == 404
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    client.cookies.clear()
    login(client, moderator)
    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200
    assert "This thread was deleted" in page.text


# Kudos ----------------------------------------------------------------------------------------


def test_kudos_toggle_without_js_goes_back_to_the_post(client, session, clock, scene):
    asker, helper, _, thread, reply = scene
    login(client, asker)
    response = _post_form(client, f"/p/{reply.id}/kudos")
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{thread.id}#post-{reply.id}"
    session.refresh(reply)
    session.refresh(helper)
    assert (reply.kudos_count, helper.kudos_received) == (1, 1)
    _post_form(client, f"/p/{reply.id}/kudos")  # and back
    session.refresh(reply)
    assert reply.kudos_count == 0


def test_kudos_with_htmx_returns_the_button_with_the_new_count(client, session, clock, scene):
    asker, _, _, _, reply = scene
    login(client, asker)
    response = _post_form(client, f"/p/{reply.id}/kudos", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith(f'<span id="kudos-{reply.id}" class="kudos">')
    assert 'aria-pressed="true"' in response.text
    assert '<span class="kudos-count">1</span>' in response.text
    # The thread header's total follows without a reload.
    thread_total = f'<span id="thread-kudos-{reply.thread_id}" hx-swap-oob="true">1 kudos</span>'
    assert thread_total in response.text
    page = client.get(f"/t/{reply.thread_id}").text
    assert f'<span id="thread-kudos-{reply.thread_id}">1 kudos</span>' in page


def test_no_kudos_for_your_own_post_over_http(client, session, clock, scene):
    _, helper, _, thread, reply = scene
    login(client, helper)
    page = client.get(f"/t/{thread.id}").text
    assert f'action="/p/{reply.id}/kudos"' not in page
    response = _post_form(client, f"/p/{reply.id}/kudos")
    assert response.status_code == 403
    assert "own post" in response.text
    assert _count(session, Kudos) == 0


# Solutions ------------------------------------------------------------------------------------


def test_asker_accepts_and_unmarks_a_solution(client, session, clock, scene):
    asker, _, _, thread, reply = scene
    login(client, asker)
    response = _post_form(client, f"/t/{thread.id}/solution", {"post_id": str(reply.id)})
    assert response.status_code == 303
    assert solutions.solution_post_id(session, thread) == reply.id
    response = _post_form(client, f"/t/{thread.id}/solution/delete", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith('<section id="solution-box" class="solution-box is-empty"')
    assert '<span id="thread-status" hx-swap-oob="true">' in response.text
    assert f'<article id="post-{reply.id}"' in response.text
    assert _count(session, Solution) == 0


def test_a_solution_needs_a_post_number_in_plain_digits(client, session, clock, scene):
    asker, _, _, thread, _reply = scene
    login(client, asker)
    for post_id in ("", "abc", "0", "²", "99999999999"):
        response = _post_form(client, f"/t/{thread.id}/solution", {"post_id": post_id})
        assert response.status_code == 422, post_id
        assert "Choose the reply that solved the thread." in response.text
    assert _count(session, Solution) == 0


def test_htmx_accept_updates_box_status_and_post(client, session, clock, scene):
    asker, _, _, thread, reply = scene
    login(client, asker)
    response = _post_form(
        client, f"/t/{thread.id}/solution", {"post_id": str(reply.id)}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Restart the modem." in response.text
    assert "Solved" in response.text
    assert 'class="post post-reply post-solution" hx-swap-oob="true"' in response.text


def test_nobody_else_accepts_a_solution_on_someone_elses_thread(client, session, clock, scene):
    *_, thread, reply = scene
    stranger = make_user(session, clock, username="stranger")
    login(client, stranger)
    assert f'action="/t/{thread.id}/solution"' not in client.get(f"/t/{thread.id}").text
    response = _post_form(client, f"/t/{thread.id}/solution", {"post_id": str(reply.id)})
    assert response.status_code == 403
    assert _count(session, Solution) == 0


def test_bad_solution_post_ids_are_422(client, session, clock, scene):
    asker, _, _, thread, _ = scene
    login(client, asker)
    for value in ("", "abc", "-1", "99999999999999"):
        response = _post_form(client, f"/t/{thread.id}/solution", {"post_id": value})
        assert response.status_code == 422, value
        assert "Choose the reply" in response.text
    question = _question(session, thread)
    response = _post_form(client, f"/t/{thread.id}/solution", {"post_id": str(question.id)})
    assert response.status_code == 422
    assert "question itself" in response.text


def test_kudos_then_solution_counts_on_the_page(client, session, clock, scene):
    asker, _, _, thread, reply = scene
    kudos.give_kudos(session, Guardian(asker), reply, clock=clock)
    page = client.get(f"/t/{thread.id}").text
    assert "1 kudos" in page


def test_the_thread_page_speaks_italian(client, session, clock, scene):
    asker, _, _, thread, reply = scene
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    login(client, make_user(session, clock, username="lettore"))
    page = client.get(f"/t/{thread.id}", headers={"Accept-Language": "it"}).text
    assert "Soluzione accettata" in page
    assert "Risolta" in page
    assert "La tua risposta" in page
