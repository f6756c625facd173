"""A member's copy of their data, as they download it from the settings: everything the community
keeps about them and what they wrote, and nothing of anyone else's."""

import json

from sqlmodel import Session

from community import bookmarks, kudos, visibility
from community.clock import FrozenClock
from community.models import HiddenReason, Role
from community.policy import Guardian
from moderation import cases
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, open_case


def test_a_member_downloads_what_they_wrote_and_nothing_of_others(
    app, session: Session, clock: FrozenClock
):
    giulia = make_user(session, clock, username="giulia")
    luca = make_user(session, clock, username="luca")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(
        session, clock, author=giulia, category=make_category(session), title="Modem spento"
    )
    answer = make_reply(session, clock, author=luca, thread=thread, body="Luca's own words.")
    kudos.give_kudos(session, Guardian(giulia), answer, clock=clock)
    gone = make_reply(session, clock, author=giulia, thread=thread, body="Wrote this, then hid.")
    visibility.hide_post(
        session, gone, reason=HiddenReason.moderator, by_id=sara.id, now=clock.now()
    )
    session.commit()
    case = open_case(session, clock, sara, thread)
    cases.add_message(
        session, Guardian(sara), case, body="Internal: check billing", internal=True, clock=clock
    )

    response = client_for(app, giulia).get("/settings/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="giulia-2026-01-15.json"'
    )
    data = json.loads(response.text)
    assert data["account"]["email"] == "giulia@example.com"
    assert [p["body"] for p in data["posts"]] == [
        "Since Monday the connection drops around 9 pm. What can I check?",
        "Wrote this, then hid.",
    ]
    assert data["posts"][1]["hidden"] is True
    assert [t["title"] for t in data["threads"]] == ["Modem spento"]
    assert [k["post_id"] for k in data["kudos_given"]] == [answer.id]
    (exported_case,) = data["cases"]
    assert [m["body"] for m in exported_case["messages"]] == ["Which invoice is it?"]
    assert "Luca's own words." not in response.text
    assert "Internal: check billing" not in response.text
    assert "password_hash" not in response.text


def test_the_settings_offer_it_and_a_visitor_is_sent_to_log_in(app, session, clock):
    giulia = make_user(session, clock, username="giulia")
    assert 'href="/settings/export"' in client_for(app, giulia).get("/settings").text
    visitor = client_for(app).get("/settings/export", follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login")


def test_downloads_are_rate_limited(app, session, clock):
    browser = client_for(app, make_user(session, clock, username="giulia"))
    for _ in range(5):
        assert browser.get("/settings/export").status_code == 200
    refused = browser.get("/settings/export")
    assert refused.status_code == 429
    assert "You asked for your data several times already." in refused.text


def test_the_download_has_the_members_bookmarks_and_notes_only(app, session, clock):
    giulia = make_user(session, clock, username="giulia")
    luca = make_user(session, clock, username="luca")
    thread = make_thread(session, clock, author=luca, category=make_category(session))
    answer = make_reply(session, clock, author=luca, thread=thread, body="Reset the router.")
    bookmarks.add_bookmark(session, Guardian(giulia), answer, note="try tonight", clock=clock)
    bookmarks.add_bookmark(session, Guardian(luca), answer, note="luca's own note", clock=clock)

    data = json.loads(client_for(app, giulia).get("/settings/export").text)
    assert data["bookmarks"] == [
        {"post_id": answer.id, "note": "try tonight", "created_at": clock.now().isoformat()}
    ]
    assert "luca's own note" not in json.dumps(data)
