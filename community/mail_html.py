"""The HTML part of outgoing mail, beside the plain text the member's client may show instead.

Templates are under templates/mail/, in an environment of their own that always escapes: what
members wrote (names, thread titles) reaches these messages. The words are the plain text's own
msgids wherever they exist, so both parts say the same thing in the member's language.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from community import i18n
from community.settings import PROJECT_ROOT, CommunitySettings

URL_STYLE = "color:inherit;word-break:break-all;"


@dataclass(frozen=True)
class Action:
    """The button of a message: its words, translated, and where it leads."""

    label: str
    url: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True
    return environment


def render(
    name: str, *, settings: CommunitySettings, language: str, subject: str, **context: Any
) -> str:
    """The template ``name`` (under templates/mail/) for a member who reads ``language``."""

    def gettext(message: str, **params: object) -> str:
        text = i18n.gettext(language, message)
        return text % params if params else text

    template = _environment().get_template(name)
    return template.render(
        language=language,
        subject=subject,
        brand=settings.brand_name,
        brand_color=settings.brand_color,
        tagline=settings.tagline(language),
        public_url=settings.public_url,
        gettext=gettext,
        _=gettext,
        **context,
    )


def message(
    settings: CommunitySettings,
    *,
    language: str,
    subject: str,
    text: str,
    link: str | None = None,
    action: str | None = None,
) -> str:
    """A message written as plain ``text``, in HTML: the same paragraphs, escaped, with ``link``
    clickable, and a button saying ``action`` (a msgid) where ``link`` stands alone (else after
    the text)."""
    blocks = text.split("\n\n")
    button = Action(i18n.gettext(language, action), link) if action and link else None
    before, after = blocks, []
    if button is not None and button.url in blocks:
        at = blocks.index(button.url)
        before, after = blocks[:at], blocks[at + 1 :]
    links = [link] if link else []
    return render(
        "mail/message.html",
        settings=settings,
        language=language,
        subject=subject,
        before=[paragraph(block, links=links) for block in before],
        action=button,
        after=[paragraph(block, links=links) for block in after],
    )


def paragraph(text: str, *, links: Iterable[str] = ()) -> Markup:
    """Plain ``text`` as HTML: escaped, each of ``links`` in it made a link, line breaks kept."""
    html = escape(text)
    escaped = sorted((str(escape(url)) for url in links), key=len, reverse=True)
    if escaped:
        # One pass, longest first: a link whose address starts another's is not linked twice.
        pattern = re.compile("|".join(re.escape(url) for url in escaped))
        html = Markup(
            pattern.sub(
                lambda found: f'<a href="{found[0]}" style="{URL_STYLE}">{found[0]}</a>', html
            )
        )
    return Markup("<br>\n").join(html.split("\n"))
