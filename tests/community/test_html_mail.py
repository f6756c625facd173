"""Every message the community sends has an HTML part beside its plain text, as a member's mail
client shows it: the same words in the member's language, a button to the same link the text
gives (and that link written out for clients that hide buttons), what members wrote escaped, and
nothing fetched from elsewhere or run."""

import re
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from community.clock import FrozenClock
from community.models import User
from community.settings import get_settings
from tests.conftest import Inbox, Mailbox, drain
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.mail_helpers import HtmlPart, body, html, plain_words, run_mailer
from tests.moderation.brand_helpers import client_for, submit

NASTY_TITLE = '<script>alert(1)</script> & "quotes"'
ONLY_OURS = "http://127.0.0.1:8000/"
RESET_LINK = re.compile(r"http://\S+/password/reset/[A-Za-z0-9_-]+")
CONFIRM_LINK = re.compile(r"http://\S+/email/confirm/[A-Za-z0-9_-]+")


def link(pattern: re.Pattern[str], message: EmailMessage) -> str:
    found = pattern.search(body(message))
    assert found is not None, body(message)
    return found[0]


def says_what_the_text_says(message: EmailMessage) -> HtmlPart:
    """The HTML part, once checked to be the alternative to the plain text, with every paragraph
    of the text in it and nothing that loads or runs anything."""
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    part = harmless(html(message))
    for paragraph in body(message).replace("\r\n", "\n").split("\n\n"):
        assert plain_words(paragraph) in part.text, paragraph
    return part


def harmless(part: HtmlPart) -> HtmlPart:
    """``part``, once checked to load nothing from elsewhere, run nothing and link only to us."""
    assert not part.tags & {"script", "img", "iframe", "object", "embed", "link", "form"}
    assert not {name for name in part.attributes if name.startswith("on") or name == "src"}
    assert all(found.href.startswith(ONLY_OURS) for found in part.links), part.links
    return part


def ask_for_reset(client: TestClient, session: Session, clock: FrozenClock, login: str) -> None:
    assert submit(client, "/password/forgot", {"login": login}).status_code == 200
    drain(session, clock)


def test_a_reset_link_has_a_button_to_the_very_link_of_the_text(client, session, clock, mailbox):
    make_user(session, clock, username="giulia", language="en")
    ask_for_reset(client, session, clock, "giulia")

    (message,) = mailbox()
    part = says_what_the_text_says(message)
    reset = link(RESET_LINK, message)
    assert part.lang == "en"
    assert part.buttons == [reset]
    (button,) = [found for found in part.links if found.is_button]
    assert button.text == "Choose a new password"
    assert f"If the button does not work, copy this address into your browser: {reset}" in (
        part.text
    )
    assert "Connettia" in part.text
    assert client.get(reset.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_the_password_changed_notice_links_where_the_text_does(app, session, clock, mailbox):
    bruno = make_user(session, clock, username="bruno", language="en")
    changed = submit(
        client_for(app, bruno),
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new long password",
            "new_password_confirm": "a brand new long password",
        },
    )
    assert changed.status_code == 303
    drain(session, clock)

    (notice,) = mailbox()
    part = says_what_the_text_says(notice)
    assert "http://127.0.0.1:8000/password/forgot" in body(notice)
    assert [found.href for found in part.links if not found.in_footer] == [
        "http://127.0.0.1:8000/password/forgot"
    ]


def sign_up(client: TestClient, username: str) -> None:
    form = {
        "username": username,
        "email": f"{username}@example.com",
        "display_name": username.capitalize(),
        "password": "a long enough password",
    }
    assert submit(client, "/signup", form).status_code == 303


def test_the_confirmation_link_has_a_button_to_the_very_link_of_the_text(
    client, session, clock, mailbox
):
    sign_up(client, "marta")
    drain(session, clock)

    (message,) = mailbox()
    part = says_what_the_text_says(message)
    confirm = link(CONFIRM_LINK, message)
    assert part.buttons == [confirm]
    assert [found.text for found in part.links if found.is_button] == ["Confirm your email address"]
    opened = client.get(part.buttons[0].removeprefix("http://127.0.0.1:8000"))
    assert "Is marta@example.com your address?" in opened.text


def test_the_old_address_hears_of_a_change_in_html_too(app, session, clock, mailbox):
    giulia = make_user(session, clock, username="giulia", language="en")
    browser = client_for(app, giulia)
    asked = submit(
        browser, "/settings/email/address", {"email": "new@example.com", "password": PASSWORD}
    )
    assert asked.status_code == 303
    drain(session, clock)
    submit(client_for(app), link(CONFIRM_LINK, mailbox()[0]).removeprefix("http://127.0.0.1:8000"))
    drain(session, clock)

    _, notice = mailbox()
    assert notice["To"] == "Giulia <giulia@example.com>"
    part = says_what_the_text_says(notice)
    assert "is now new@example.com" in part.text
    assert part.buttons == []  # a notice, not a request: the link sits in its sentence
    assert "http://127.0.0.1:8000/password/forgot" in [found.href for found in part.links]


def test_an_italian_member_gets_italian_html(client, session, clock, mailbox):
    make_user(session, clock, username="chiara", language="it")
    ask_for_reset(client, session, clock, "chiara")

    (message,) = mailbox()
    part = says_what_the_text_says(message)
    assert part.lang == "it"
    assert part.text.startswith("Connettia Ciao Chiara,")
    assert [found.text for found in part.links if found.is_button] == ["Scegli una nuova password"]
    assert "Se il pulsante non funziona, copia questo indirizzo nel browser:" in part.text
    assert "Choose" not in part.text and "button" not in part.text


def test_a_display_name_with_markup_is_shown_as_written(client, session, clock, mailbox):
    giulia = make_user(session, clock, username="giulia", language="en")
    giulia.display_name = 'Giulia <b>"G"</b> & co'
    session.add(giulia)
    session.commit()
    ask_for_reset(client, session, clock, "giulia")

    (message,) = mailbox()
    part = says_what_the_text_says(message)
    assert 'Hello Giulia <b>"G"</b> & co,' in part.text
    assert "b" not in part.tags
    assert "Giulia &lt;b&gt;" in part.source


# Notifications ------------------------------------------------------------------------------------


def answered(
    session: Session, clock: FrozenClock, *, title: str, language: str = "en"
) -> tuple[User, str]:
    """Giulia's question answered by Luca, mailed to her; returns her and the answer's address."""
    giulia = make_user(session, clock, username="giulia", language=language)
    thread = make_thread(
        session, clock, author=giulia, category=make_category(session), title=title
    )
    reply = make_reply(
        session, clock, author=make_user(session, clock, username="luca"), thread=thread
    )
    clock.advance(minutes=get_settings().email_delay_minutes)
    run_mailer(session, clock)
    return giulia, f"http://127.0.0.1:8000/t/{thread.id}#post-{reply.id}"


def only_message(mailbox: Mailbox) -> EmailMessage:
    (message,) = [m for m in mailbox() if m["To"] == "Giulia <giulia@example.com>"]
    return message


def test_a_notification_has_a_button_to_the_answer_and_the_way_out_in_the_footer(
    session, clock, mailbox
):
    _giulia, answer = answered(session, clock, title="Il modem si spegne da solo")

    message = only_message(mailbox)
    part = harmless(html(message))
    off = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert message["List-Unsubscribe"].strip() == f"<{off}>"
    assert off.startswith("http://127.0.0.1:8000/email/off/")
    assert f"To stop these emails: {off}" in body(message)
    assert part.buttons == [answer]
    assert [found.text for found in part.links if found.is_button] == ["Open the thread"]
    assert "Luca replied to Il modem si spegne da solo" in part.text
    assert off in part.footer_links
    assert "http://127.0.0.1:8000/notifications" in part.footer_links
    assert f"To stop these emails: {off}" in part.text
    assert off not in [found.href for found in part.links if not found.in_footer]


def test_several_notifications_each_have_their_button(session, clock, mailbox):
    giulia = make_user(session, clock, username="giulia", language="en")
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    first = make_reply(
        session, clock, author=make_user(session, clock, username="luca"), thread=thread
    )
    second = make_reply(
        session, clock, author=make_user(session, clock, username="sara"), thread=thread
    )
    clock.advance(minutes=get_settings().email_delay_minutes)
    run_mailer(session, clock)

    message = only_message(mailbox)
    assert html(message).buttons == [
        f"http://127.0.0.1:8000/t/{thread.id}#post-{first.id}",
        f"http://127.0.0.1:8000/t/{thread.id}#post-{second.id}",
    ]
    assert html(message).buttons == re.findall(r"^  (http\S+)$", body(message), re.MULTILINE)
    links = [found for found in html(message).links if not found.in_footer]
    shown = [found.href for found in links if found.text == found.href]
    assert shown == html(message).buttons  # each address written out, for clients without buttons
    assert html(message).text.count("If the button does not work") == 1


def test_a_title_with_markup_arrives_escaped_in_html_and_intact_in_text(session, clock, mailbox):
    answered(session, clock, title=NASTY_TITLE)

    message = only_message(mailbox)
    part = harmless(html(message))
    assert f"Luca replied to {NASTY_TITLE}" in body(message)
    assert message["Subject"] == f"Luca replied to {NASTY_TITLE}"
    assert f"Luca replied to {NASTY_TITLE}" in part.text  # what the member reads
    assert "script" not in part.tags
    assert "<script>" not in part.source
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in part.source


def test_an_italian_member_gets_italian_notifications_in_html(session, clock, mailbox):
    answered(session, clock, title="Il modem si spegne", language="it")

    message = only_message(mailbox)
    part = html(message)
    assert part.lang == "it"
    assert part.text.startswith("Connettia Ciao Giulia,")
    assert "Luca ha risposto nella discussione «Il modem si spegne»" in part.text
    assert [found.text for found in part.links if found.is_button] == ["Apri la discussione"]
    footer = body(message).split("-- \n", 1)[1]
    assert plain_words(footer) in part.text


# How it travels -----------------------------------------------------------------------------------


def test_the_pickup_directory_keeps_the_html_links_whole(client, session, clock, mailbox):
    make_user(session, clock, username="anna", language="it")
    ask_for_reset(client, session, clock, "anna")

    (message,) = mailbox()
    reset = link(RESET_LINK, message)
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == ["8bit"] * 2
    (eml,) = (get_settings().var_dir / "mail").glob("*.eml")
    raw = eml.read_bytes()
    # In the text, and in the HTML as the button, the address under it and its link.
    assert raw.count(reset.encode()) == 4
    assert b"Se il pulsante non funziona" in raw


@pytest.mark.usefixtures("mailbox")
def test_the_html_part_goes_over_smtp_too(client, session, clock, smtp_server: Inbox):
    make_user(session, clock, username="giorgio", language="en")
    ask_for_reset(client, session, clock, "giorgio")

    (message,) = smtp_server.messages
    part = says_what_the_text_says(message)
    assert part.buttons == [link(RESET_LINK, message)]
