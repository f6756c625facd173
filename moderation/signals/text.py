"""Text normalisation shared by training and inference (the models see the same text)."""

import html
import re

_URL = re.compile(r"<URL>|<?https?://\S+>?|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"<MENTION_\d+>|@\w+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Unescaped HTML, links as ``URL``, @handles as ``@user``, whitespace collapsed."""
    text = html.unescape(text)
    text = _URL.sub(" URL ", text)
    text = _MENTION.sub("@user", text)
    return _SPACE.sub(" ", text).strip()
