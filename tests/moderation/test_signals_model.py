"""The shipped signal models on plain synthetic posts (real weights, real e5), and
``peerdesk classify``."""

import json

import pytest
import typer
from typer.testing import CliRunner

from moderation.signals import analyse, language, model, model_version, needs_brand, toxicity
from moderation.signals.cli import register


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Buongiorno, il modem si spegne ogni sera: qualcuno sa perché?", "it"),
        ("Grazie!", "it"),
        ("Ciao a tutti", "it"),
        ("My router keeps dropping the connection every evening.", "en"),
        ("Thanks!", "en"),
        ("Bonjour, ma box internet ne fonctionne plus depuis lundi.", "fr"),
        ("Hola, mi pedido no ha llegado todavía y nadie me contesta.", "es"),
        ("Guten Tag, meine Bestellung ist noch nicht angekommen.", "de"),
        ("12345 !!!", "und"),
    ],
)
def test_language(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_the_shipped_weights_name_their_version() -> None:
    assert model_version().startswith("signals-")
    assert model.WEIGHTS_FILE.stat().st_size < 5_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thank you so much, the technician was great and everything works!", "positive"),
        ("Grazie mille, servizio fantastico, siete bravissimi!", "positive"),
        ("Worst service ever. Three weeks without internet and nobody cares.", "negative"),
        ("Servizio pessimo, tre settimane senza linea e nessuno risponde. Vergogna.", "negative"),
    ],
)
def test_sentiment_of_plain_posts(text: str, expected: str) -> None:
    [signals] = analyse([text])
    assert signals.sentiment == expected
    assert 1 / 3 < signals.sentiment_score <= 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Come faccio a cambiare l'intestatario del contratto?", True),
        ("How do I reset the router to factory settings", True),
        ("Il modem non si accende più da ieri sera", True),
        ("The app doesn't work after the update", True),
        ("Vorrei disdire l'abbonamento", True),
        ("Vorrei disdire l'abbonamento, grazie", True),
        ("Please help me with my order, thanks", True),
        ("Aiuto, la fattura è doppia", True),
        ("Grazie mille, tutto risolto!", False),
        ("Thank you, great support!", False),
        ("Grazie a tutti per l'aiuto", False),
        ("Nessun problema, grazie lo stesso!", False),
        ("Thanks a lot, great job", False),
        ("Ciao a tutti, come va?", False),
    ],
)
def test_needs_the_brand(text: str, expected: bool) -> None:
    assert needs_brand.rule(text) is expected
    [signals] = analyse([text])
    assert signals.needs_brand is expected


def test_needs_the_brand_rules_decide_over_the_learned_score() -> None:
    assert needs_brand.score("Dove trovo il PUK?", 0.05) >= needs_brand.THRESHOLD
    assert needs_brand.score("Grazie a tutti!", 0.95) < needs_brand.THRESHOLD
    assert needs_brand.score("Il router è bianco", 0.7) == 0.7  # no rule: the model decides


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sei un idiota, stai zitto", True),
        ("Siete dei ladri e dei buffoni", True),
        ("You are such a moron", True),
        ("fuck you and your company", True),
        ("Che schifo, fa schifo, servizio di merda", True),
        ("My fucking flight is delayed again", False),  # swearing once in a complaint
        ("Il servizio è lento ma gentile", False),
        ("Thanks for the quick answer", False),
    ],
)
def test_toxicity_lexicon(text: str, expected: bool) -> None:
    assert toxicity.is_toxic(text) is expected


def test_classify_prints_one_json_object_per_input_line() -> None:
    app = typer.Typer()
    app.command("noop")(lambda: None)
    register(app)
    lines = [
        "Il mio ordine non è arrivato, chiamatemi al 333 123 4567",
        "Thank you, great support!",
        "",
    ]
    result = CliRunner().invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(printed) == 3
    assert all(
        list(p) == ["language", "sentiment", "sentiment_score", "needs_brand", "toxic", "pii"]
        for p in printed
    )
    first, second, _ = printed
    assert (first["language"], first["needs_brand"], first["pii"]) == ("it", True, ["phone"])
    assert (second["language"], second["sentiment"], second["pii"]) == ("en", "positive", [])
