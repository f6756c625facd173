"""Reading what the community mailed (the ``mailbox`` fixture of conftest reads the pickup
directory): the plain text, the HTML part as a client shows it, and running the mail consumer's
idle step, which decides which notifications go out."""

from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

from sqlmodel import Session

from community import events
from community.clock import FrozenClock
from tests.conftest import drain


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def run_mailer(session: Session, clock: FrozenClock) -> None:
    """The outbox as an idle worker runs it: events first, then the mailer's decisions, whose
    events are then sent."""
    drain(session, clock)
    consumer = events.registry.consumers["mail"]
    while events.catch_up(session, consumer, now=clock.now()):
        pass
    drain(session, clock)


@dataclass
class Link:
    href: str
    text: str = ""
    is_button: bool = False
    in_footer: bool = False


@dataclass
class HtmlPart:
    """The HTML part as a member's client shows it: its language, its links and its words."""

    source: str
    lang: str | None = None
    links: list[Link] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        """The visible text, with runs of white space as one space."""
        return " ".join(" ".join(self.words).split())

    @property
    def buttons(self) -> list[str]:
        return [link.href for link in self.links if link.is_button]

    @property
    def footer_links(self) -> list[str]:
        return [link.href for link in self.links if link.in_footer]


class _Reader(HTMLParser):
    def __init__(self, part: HtmlPart) -> None:
        super().__init__(convert_charrefs=True)
        self.part = part
        self.link: Link | None = None
        self.hidden = 0  # inside <title> or <style>: not shown
        self.in_footer = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.part.tags.add(tag)
        self.part.attributes.update(values)
        classes = values.get("class", "").split()
        if tag == "html":
            self.part.lang = values.get("lang")
        if tag in ("title", "style"):
            self.hidden += 1
        self.in_footer = self.in_footer or "mail-footer" in classes
        if tag == "a":
            self.link = Link(values.get("href", ""), "", "button" in classes, self.in_footer)
            self.part.links.append(self.link)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "style"):
            self.hidden -= 1
        if tag == "a":
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.part.words.append(data)
        if self.link is not None:
            self.link.text += data


def html(message: EmailMessage) -> HtmlPart:
    """The message's HTML part, read as a browser would."""
    part = message.get_body(("html",))
    assert part is not None, "the message has no HTML part"
    read = HtmlPart(source=str(part.get_content()))
    _Reader(read).feed(read.source)
    return read


def plain_words(text: str) -> str:
    """``text`` with runs of white space as one space, to compare with ``HtmlPart.text``."""
    return " ".join(text.split())
