"""Settings read from the environment: what a brand can set, and the mistakes refused at start."""

import pytest
from pydantic import ValidationError

from community.settings import CommunitySettings


def test_the_brand_tagline_is_one_text_or_a_json_object_by_language(monkeypatch):
    monkeypatch.setenv("PEERDESK_BRAND_TAGLINE", "Assistenza tra clienti")
    settings = CommunitySettings()
    assert settings.tagline("it") == settings.tagline("en") == "Assistenza tra clienti"

    monkeypatch.setenv("PEERDESK_BRAND_TAGLINE", '{"it": "Aiuto tra clienti", "en": "Peer help"}')
    settings = CommunitySettings()
    assert (settings.tagline("it"), settings.tagline("en")) == ("Aiuto tra clienti", "Peer help")

    monkeypatch.delenv("PEERDESK_BRAND_TAGLINE")
    settings = CommunitySettings()
    assert (settings.tagline("it"), settings.tagline("en")) == (
        "Community di assistenza",
        "Support community",
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('{"it": "Aiuto", "en": "Help",}', "not a JSON object"),  # a trailing comma
        ('{"it": "Aiuto", "fr": "Aide"}', "taglines for fr; the languages are it, en"),
    ],
)
def test_a_tagline_setting_that_cannot_be_right_stops_the_start(monkeypatch, value, says):
    monkeypatch.setenv("PEERDESK_BRAND_TAGLINE", value)
    with pytest.raises(ValidationError, match=says):
        CommunitySettings()
