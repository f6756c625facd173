"""Templates rendered to HTML once and then filled: the same HTML as markdown.render, cheaply.

Rendering a post costs about 200 µs, far too much for a million and a half of them. A template is
rendered once with a marker word in each slot (``zqxcityq``); filling it replaces the markers in
the Markdown and in the HTML alike. That is exact because slot values mean nothing to Markdown or
HTML (``SAFE_VALUE``) and block templates render independently when joined by a blank line;
tests/community/test_seed.py checks every seeded post against markdown.render.
"""

import re
from collections.abc import Mapping

from community import markdown

SLOT = re.compile(r"\{([a-z]+)\}")
MARKER = re.compile(r"zqx([a-z]+?)q")
# Letters, digits and a little punctuation: no *, _, `, [, <, &, " or # that could change parsing.
SAFE_VALUE = re.compile(r"^[^\W_€][\w €,.'/+!:-]*(?<! )$|^€[\w.,]+$")


def _marker(slot: str) -> str:
    return f"zqx{slot}q"


class Template:
    """Markdown with ``{slot}`` fields."""

    __slots__ = ("_html", "_literals", "_slots", "source")

    def __init__(self, source: str) -> None:
        pieces = SLOT.split(source)
        self.source = source
        self._literals = pieces[0::2]
        self._slots = pieces[1::2]
        self._html: list[str] | None = None

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(self._slots)

    def fill(self, values: Mapping[str, str]) -> str:
        return _join(self._literals, self._slots, values)

    def fill_html(self, values: Mapping[str, str]) -> str:
        if self._html is None:
            marked = self.fill({slot: _marker(slot) for slot in self._slots})
            self._html = MARKER.split(markdown.render(marked))
        return _join(self._html[0::2], self._html[1::2], values)


def _join(literals: list[str], slots: list[str], values: Mapping[str, str]) -> str:
    out = [literals[0]]
    for slot, literal in zip(slots, literals[1:], strict=True):
        out.append(values[slot])
        out.append(literal)
    return "".join(out)


def compose(blocks: list[Template], values: Mapping[str, str]) -> tuple[str, str]:
    """The Markdown body of a post made of these blocks, and its HTML."""
    body = "\n\n".join(block.fill(values) for block in blocks)
    html = "".join(block.fill_html(values) for block in blocks)
    return body, html
