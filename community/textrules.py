"""Rules every piece of user text obeys, whatever form or API field it arrives in."""

import unicodedata

from community.errors import Invalid

_ALLOWED_CONTROLS = {"\t"}
_ALLOWED_IN_MULTILINE = {"\t", "\n", "\r"}


def reject_control_characters(value: str, *, field: str, multiline: bool = False) -> str:
    """Refuse NUL and other invisible control characters (PostgreSQL cannot even store NUL)."""
    allowed = _ALLOWED_IN_MULTILINE if multiline else _ALLOWED_CONTROLS
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise Invalid(
            "This text contains invisible control characters: remove them and try again.",
            field=field,
        )
    return value
