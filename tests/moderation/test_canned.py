"""Canned replies: moderators manage brand-voice templates at /mod/canned (audited), unknown
placeholders are refused, and a template fills the reply box of a thread (htmx or a plain link)."""

import re

import pytest
from sqlmodel import Session, col, select

import main
from community import markdown
from community.clock import FrozenClock
from community.models import Role
from moderation import audit, canned
from moderation.models import AuditEntry, CannedReply
from tests.factories import make_category, make_thread, make_user
from tests.moderation.brand_helpers import client_for, submit

TEMPLATE = "Hi {customer_name}, thanks for writing about “{thread_title}”. We are on it."


@pytest.fixture
def scene(session: Session, clock: FrozenClock):
    asker = make_user(session, clock, username="giulia")
    member = make_user(session, clock, username="member")
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(
        session, clock, author=asker, category=make_category(session), title="Fibre drops at 9 pm"
    )
    return asker, member, moderator, thread


def _template(session: Session, clock: FrozenClock, moderator, **values: str) -> CannedReply:
    from community.policy import Guardian

    fields = {"title": "Acknowledge", "body": TEMPLATE, "language": "en", **values}
    return canned.create_reply(session, Guardian(moderator), clock=clock, **fields)


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).where(col(AuditEntry.action) == action)
    return list(session.exec(query))


def test_a_moderator_creates_edits_and_deletes_templates_each_audited(app, session, scene):
    *_, moderator, _thread = scene
    browser = client_for(app, moderator)
    fields = {"title": "Acknowledge", "body": TEMPLATE, "language": "en"}
    assert submit(browser, "/mod/canned", fields).status_code == 303
    reply = session.exec(select(CannedReply)).one()
    assert (reply.title, reply.body, reply.language) == ("Acknowledge", TEMPLATE, "en")
    assert "Acknowledge" in browser.get("/mod/canned").text
    (created,) = _audit(session, "canned_reply_created")
    assert (created.actor_id, created.target_type, created.target_id) == (
        moderator.id,
        "canned_reply",
        reply.id,
    )

    edit = browser.get(f"/mod/canned/{reply.id}/edit")
    assert edit.status_code == 200 and "Acknowledge" in edit.text
    fields = {"title": "Acknowledge (short)", "body": "Hi {customer_name}!", "language": ""}
    assert submit(browser, f"/mod/canned/{reply.id}", fields).status_code == 303
    session.refresh(reply)
    assert (reply.title, reply.body, reply.language) == (
        "Acknowledge (short)",
        "Hi {customer_name}!",
        None,
    )
    (updated,) = _audit(session, "canned_reply_updated")
    assert audit.loads(updated.before)["title"] == "Acknowledge"
    assert audit.loads(updated.after)["title"] == "Acknowledge (short)"

    reply_id = reply.id
    assert submit(browser, f"/mod/canned/{reply_id}/delete").status_code == 303
    session.expire_all()
    assert session.exec(select(CannedReply)).all() == []
    (deleted,) = _audit(session, "canned_reply_deleted")
    assert audit.loads(deleted.before)["body"] == "Hi {customer_name}!"
    assert f'id="canned-{reply_id}"' not in browser.get("/mod/canned").text


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Hi {customer}, sorry.", "customer"),
        ("Dear {Customer_Name}", "Customer_Name"),
        ("Your order {order_id} is late.", "order_id"),
        ("Hi {customer_name.__class__}", "customer_name.__class__"),
        ("Hi {}", ""),
    ],
)
def test_an_unknown_placeholder_is_refused_with_a_clear_error_and_the_text_kept(
    app, session, scene, body, name
):
    *_, moderator, _thread = scene
    browser = client_for(app, moderator)
    response = submit(browser, "/mod/canned", {"title": "Late order", "body": body})
    assert response.status_code == 422
    assert f"Unknown placeholder {{{name}}}: use {{customer_name}} or {{thread_title}}." in (
        response.text.replace("&#34;", '"')
    )
    assert 'value="Late order"' in response.text
    assert session.exec(select(CannedReply)).all() == []


def test_braces_that_name_nothing_are_plain_text(session, clock, scene):
    *_, moderator, thread = scene
    reply = _template(
        session, clock, moderator, body="A lone { brace, a closing } one, {a\nbroken} pair."
    )
    from community.policy import Guardian

    assert canned.fill(session, Guardian(moderator), reply, thread) == reply.body


def test_prices_and_json_in_braces_are_plain_text(session, clock, scene):
    *_, moderator, thread = scene
    body = 'Costa {10 €} al mese. APN: {"apn":"web.connettia.it"} per {customer_name}.'
    reply = _template(session, clock, moderator, body=body)
    from community.policy import Guardian

    filled = canned.fill(session, Guardian(moderator), reply, thread)
    name = scene[0].display_name
    assert filled == f'Costa {{10 €}} al mese. APN: {{"apn":"web.connettia.it"}} per {name}.'


def test_a_name_or_title_with_markdown_stays_plain_text_in_the_official_reply(
    session, clock, scene
):
    asker, _member, moderator, thread = scene
    asker.display_name = "[Rimborso immediato](https://evil.example/login) **Giulia**"
    thread.title = "![x](https://tracker.example/p.png) 1. #fibra"
    session.add_all([asker, thread])
    session.commit()
    reply = _template(session, clock, moderator, body="{customer_name}\n{thread_title}")
    from community.policy import Guardian

    filled = canned.fill(session, Guardian(moderator), reply, thread)
    html = markdown.render(filled)
    assert "<a" not in html and "<img" not in html and "<strong>" not in html
    assert "[Rimborso immediato](https://evil.example/login) **Giulia**" in html
    assert "![x](https://tracker.example/p.png) 1. #fibra" in html


def test_a_stale_edit_form_does_not_undo_another_moderators_save(app, session, clock, scene):
    *_, moderator, _thread = scene
    reply = _template(session, clock, moderator, body="Hi {customer_name}, there is an outage.")
    other = make_user(session, clock, username="mod2", role=Role.moderator)
    mine, theirs = client_for(app, moderator), client_for(app, other)
    form = mine.get(f"/mod/canned/{reply.id}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', form)
    assert version is not None
    clock.advance(minutes=3)
    fields = {"title": "Acknowledge", "language": "en"}
    eta = "Hi {customer_name}, there is an outage. Back by 18:00."
    their_form = theirs.get(f"/mod/canned/{reply.id}/edit").text
    their_version = re.search(r'name="version" value="([^"]+)"', their_form)
    assert their_version is not None
    saved = submit(
        theirs, f"/mod/canned/{reply.id}", {**fields, "body": eta, "version": their_version[1]}
    )
    assert saved.status_code == 303

    clock.advance(minutes=1)
    mine_text = "Hi {customer_name}, there is an outage in Milan."
    stale = submit(
        mine, f"/mod/canned/{reply.id}", {**fields, "body": mine_text, "version": version[1]}
    )
    assert stale.status_code == 409
    assert "Someone else saved this template while you were editing it." in stale.text
    assert mine_text in stale.text and "Back by 18:00." in stale.text  # both, to merge
    session.expire_all()
    assert session.get(CannedReply, reply.id).body == eta  # their save stands
    merged = "Hi {customer_name}, there is an outage in Milan. Back by 18:00."
    fresh = re.search(r'name="version" value="([^"]+)"', stale.text)
    assert fresh is not None
    again = submit(mine, f"/mod/canned/{reply.id}", {**fields, "body": merged, "version": fresh[1]})
    assert again.status_code == 303
    session.expire_all()
    assert session.get(CannedReply, reply.id).body == merged


def test_a_missing_title_or_an_unknown_language_is_refused(app, scene):
    *_, moderator, _thread = scene
    browser = client_for(app, moderator)
    no_title = submit(browser, "/mod/canned", {"title": " ", "body": "Hello"})
    assert no_title.status_code == 422 and "Give the template a title." in no_title.text
    klingon = submit(browser, "/mod/canned", {"title": "Hi", "body": "Hello", "language": "tlh"})
    assert klingon.status_code == 422
    assert "Choose one of the community&#39;s languages." in klingon.text


def test_every_field_s_problem_shows_at_once_with_the_typed_text_kept(app, session, clock, scene):
    *_, moderator, _thread = scene
    browser = client_for(app, moderator)
    reply = _template(session, clock, moderator)
    fields = {"title": "Late " * 25, "body": "Hi {customer}, sorry.", "language": "tlh"}
    for url in ("/mod/canned", f"/mod/canned/{reply.id}"):
        response = submit(browser, url, fields)
        assert response.status_code == 422, url
        page = response.text
        assert "The title can have at most 100 characters." in page, url
        assert "Unknown placeholder {customer}" in page, url
        assert "Choose one of the community&#39;s languages." in page, url
        assert f'value="{fields["title"]}"' in page and ">Hi {customer}, sorry.</textarea>" in page
    session.expire_all()
    assert [r.title for r in session.exec(select(CannedReply))] == ["Acknowledge"]


def test_htmx_fill_puts_the_filled_text_in_the_reply_box(app, session, clock, scene):
    *_, moderator, thread = scene
    reply = _template(session, clock, moderator)
    browser = client_for(app, moderator)
    url = f"/mod/canned/{reply.id}/fill?thread_id={thread.id}"
    response = browser.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<textarea id="reply-body" name="body"')
    assert (
        "Hi Giulia, thanks for writing about “Fibre drops at 9 pm”. We are on it." in response.text
    )
    text = browser.get(url + "&format=text")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == "Hi Giulia, thanks for writing about “Fibre drops at 9 pm”. We are on it."


def test_inserting_a_canned_reply_keeps_the_draft_already_in_the_box(app, session, clock, scene):
    *_, moderator, thread = scene
    reply = _template(session, clock, moderator)
    browser = client_for(app, moderator)
    page = browser.get(f"/t/{thread.id}").text
    assert f'hx-post="/mod/canned/{reply.id}/fill?thread_id={thread.id}"' in page
    assert 'hx-include="#reply-body"' in page
    response = submit(
        browser,
        f"/mod/canned/{reply.id}/fill?thread_id={thread.id}",
        {"body": "I checked your line: no fault on our side.  \n"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert (
        ">I checked your line: no fault on our side.\n\n"
        "Hi Giulia, thanks for writing about “Fibre drops at 9 pm”. We are on it.</textarea>"
    ) in response.text


def test_the_fill_link_without_javascript_prefills_the_reply_form(app, session, clock, scene):
    *_, moderator, thread = scene
    reply = _template(session, clock, moderator)
    browser = client_for(app, moderator)
    response = browser.get(f"/mod/canned/{reply.id}/fill?thread_id={thread.id}")
    assert response.status_code == 200
    assert "We are on it" not in str(response.url)
    page = response.text
    assert f'action="/t/{thread.id}/posts"' in page
    box = page[page.index('<textarea id="reply-body"') :]
    box = box[: box.index("</textarea>")]
    assert box.endswith("Hi Giulia, thanks for writing about “Fibre drops at 9 pm”. We are on it.")

    posted = submit(browser, f"/t/{thread.id}/posts", {"body": "Hi Giulia, we are on it."})
    assert posted.status_code == 303
    assert "Hi Giulia, we are on it." in browser.get(f"/t/{thread.id}").text


def test_a_long_template_fills_without_javascript(app, session, clock, scene):
    *_, moderator, thread = scene
    reply = _template(session, clock, moderator, body="Dear {customer_name}. " + "x" * 9000)
    response = client_for(app, moderator).get(
        f"/mod/canned/{reply.id}/fill?thread_id={thread.id}", follow_redirects=False
    )
    assert response.status_code == 200
    assert "Dear Giulia. " + "x" * 9000 + "</textarea>" in response.text


def test_the_menu_above_the_reply_box_is_for_moderators_only(app, session, clock, scene):
    asker, member, moderator, thread = scene
    reply = _template(session, clock, moderator)
    link = f'href="/mod/canned/{reply.id}/fill?thread_id={thread.id}"'
    moderator_page = client_for(app, moderator).get(f"/t/{thread.id}").text
    assert link in moderator_page
    assert 'hx-target="#reply-body"' in moderator_page
    for person in (asker, member, None):
        page = client_for(app, person).get(f"/t/{thread.id}").text
        assert "/mod/canned" not in page


def test_the_menu_lists_the_threads_language_first(session, clock, scene):
    *_, moderator, _thread = scene
    from community.policy import Guardian

    _template(session, clock, moderator, title="A English", language="en")
    _template(session, clock, moderator, title="B Italiano", language="it")
    _template(session, clock, moderator, title="C Any", language="")
    titles = [r.title for r in canned.list_replies(session, Guardian(moderator), language="it")]
    assert titles == ["B Italiano", "C Any", "A English"]


def test_members_get_403_and_anonymous_visitors_are_sent_to_log_in(app, session, clock, scene):
    asker, member, moderator, thread = scene
    reply = _template(session, clock, moderator)
    fill = f"/mod/canned/{reply.id}/fill?thread_id={thread.id}"
    fields = {"title": "Mine", "body": "Hello"}
    for person in (asker, member):
        browser = client_for(app, person)
        assert browser.get("/mod/canned").status_code == 403
        assert browser.get(f"/mod/canned/{reply.id}/edit").status_code == 403
        assert browser.get(fill, follow_redirects=False).status_code == 403
        assert browser.get(fill + "&format=text").status_code == 403
        assert submit(browser, "/mod/canned", fields).status_code == 403
        assert submit(browser, f"/mod/canned/{reply.id}", fields).status_code == 403
        assert submit(browser, f"/mod/canned/{reply.id}/delete").status_code == 403
    anonymous = client_for(app)
    for url in ("/mod/canned", f"/mod/canned/{reply.id}/edit", fill):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert submit(anonymous, "/mod/canned", fields).status_code == 401
    session.expire_all()
    assert [r.title for r in session.exec(select(CannedReply))] == ["Acknowledge"]


def test_the_seeded_demo_offers_canned_replies_in_both_languages(
    session: Session, clock: FrozenClock, scene
) -> None:
    from community.policy import Guardian
    from community.seed import loader

    main.configure_consumers()
    assert canned.seed_demo in loader.after_seed  # peerdesk seed runs it

    _asker, _member, moderator, thread = scene
    assert canned.seed_demo(session) == len(canned.DEMO_REPLIES)
    replies = canned.list_replies(session, Guardian(moderator))
    assert {reply.language for reply in replies} == {"it", "en"}
    for reply in replies:
        assert canned.validate(reply.title, reply.body, reply.language or "") is not None
        assert "{" not in canned.fill(session, Guardian(moderator), reply, thread)
    assert canned.seed_demo(session) == 0  # a community that has templates keeps its own
