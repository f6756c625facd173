"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what comes out.

Images show only from this site's uploads (``/uploads/<sha256>.<ext>``, community.uploads): an
image from anywhere else would tell that site who reads the post, and when, so it becomes a plain
link to the address instead.
"""

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from community import upload_storage

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "title", "loading", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "a": {"href", "title", "class"},
}
MENTION = re.compile(r"(?<![\w@/])@([a-z0-9_]{3,30})\b", re.IGNORECASE)
# What makes markup anywhere in a line, and what makes a list item or a heading at its start.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]()<>!#|~])")
_LINE_START_MARKUP = re.compile(r"^(\s*(?:\d+(?=\.)|))([-+=.])", re.MULTILINE)


def escape(text: str) -> str:
    """``text`` as Markdown that renders to exactly that text: someone else's words (a display
    name, a title) put into a post are never links, images, emphasis, lists or headings."""
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return _LINE_START_MARKUP.sub(r"\1\\\2", text)


def render(body: str, *, image_sizes: Mapping[str, tuple[int, int]] | None = None) -> str:
    """``body`` as safe HTML; ``image_sizes`` gives the width and height of uploads by address,
    so the page keeps their room while they load."""
    tokens = _md.parse(body)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _link_mentions(_place_images(token.children, image_sizes or {}))
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_uploaded_images,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )


def _place_images(children: list[Token], sizes: Mapping[str, tuple[int, int]]) -> list[Token]:
    """Uploads stay images, loaded lazily; any other image becomes a link to its address (only
    its text when it already sits in a link)."""
    result: list[Token] = []
    inside_link = 0
    for child in children:
        if child.type == "link_open":
            inside_link += 1
        elif child.type == "link_close":
            inside_link -= 1
        if child.type != "image":
            result.append(child)
            continue
        source = str(child.attrGet("src") or "")
        if upload_storage.parse_url(source) is not None:
            child.attrSet("loading", "lazy")
            if source in sizes:
                width, height = sizes[source]
                child.attrSet("width", str(width))
                child.attrSet("height", str(height))
            result.append(child)
            continue
        text = child.children or [_text(source)]
        if inside_link:
            result.extend(text)
        else:
            link = Token("link_open", "a", 1, attrs={"href": source})
            result.extend([link, *text, Token("link_close", "a", -1)])
    return result


def _only_uploaded_images(element: str, attribute: str, value: str) -> str | None:
    """The sanitiser's last word: no image source but this site's uploads, whatever made it."""
    if element == "img" and attribute == "src" and upload_storage.parse_url(value) is None:
        return None
    return value


def _link_mentions(children: list[Token]) -> list[Token]:
    """Turn @username in plain text (not in code or links) into a link to the profile."""
    result: list[Token] = []
    inside_link = 0
    for child in children:
        if child.type == "link_open":
            inside_link += 1
        elif child.type == "link_close":
            inside_link -= 1
        if child.type != "text" or inside_link or "@" not in child.content:
            result.append(child)
            continue
        position = 0
        for match in MENTION.finditer(child.content):
            result.append(_text(child.content[position : match.start()]))
            link = Token("link_open", "a", 1, attrs={"href": f"/u/{match.group(1).lower()}"})
            link.attrSet("class", "mention")
            result.extend([link, _text(match.group(0)), Token("link_close", "a", -1)])
            position = match.end()
        result.append(_text(child.content[position:]))
    return result


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def mentioned_usernames(body: str) -> set[str]:
    return {name.lower() for name in MENTION.findall(body)}
