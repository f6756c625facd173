"""Both catalogs are complete: every string in code and templates has an Italian translation."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from community import i18n
from community.settings import PROJECT_ROOT

KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "Plural": (1, 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
ERROR_KEYWORDS = ("Invalid", "Forbidden", "NotFound", "NotAuthenticated", "Conflict", "RateLimited")


def _extracted() -> set[str]:
    method_map = [
        ("community/**.py", "python"),
        ("moderation/**.py", "python"),
        ("search/**.py", "python"),
        ("main.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    keywords = dict(KEYWORDS)
    for name in ERROR_KEYWORDS:
        keywords[name] = None
    keywords["ensure"] = (2,)
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        method_map=method_map,
        keywords=keywords,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        for part in message if isinstance(message, tuple) else (message,):
            if part:
                ids.add(part)
    return ids


def _catalog(language: str):
    path = Path(i18n.LOCALE_DIR) / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    ids = _extracted()
    assert len(ids) > 50, "extraction found suspiciously few strings"
    return ids


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_string_is_in_the_catalog(extracted: set[str], language: str) -> None:
    catalog = _catalog(language)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    known |= {m.id[1] for m in catalog if isinstance(m.id, tuple)}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} strings missing from {language}: {missing[:20]}"


def test_italian_translations_are_filled_and_keep_placeholders(extracted: set[str]) -> None:
    problems = []
    for message in _catalog("it"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if ids[0] not in extracted and (len(ids) < 2 or ids[1] not in extracted):
            continue
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            got = set(PLACEHOLDER.findall(string))
            if not got <= wanted or (wanted - {"num"}) - got:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems[:30])


def test_compiled_catalog_translates_the_interface() -> None:
    i18n.translations.cache_clear()
    assert i18n.gettext("it", "Log in") == "Accedi"
    assert i18n.gettext("en", "Log in") == "Log in"


@pytest.mark.parametrize(
    ("language", "num", "expected"),
    [
        ("en", 1, "%(num)s answer"),
        ("en", 3, "%(num)s answers"),
        ("it", 1, "%(num)s risposta"),
        ("it", 3, "%(num)s risposte"),
    ],
)
def test_a_plural_message_takes_the_form_its_number_asks_for(
    language: str, num: int, expected: str
) -> None:
    message = i18n.Plural("%(num)s answer", "%(num)s answers", num)
    assert i18n.translate(language, message) == expected
    assert i18n.translate(language, "Log in") == i18n.gettext(language, "Log in")


def test_a_moment_ago_is_just_now_not_in_zero_seconds() -> None:
    now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    assert i18n.format_ago(now, now, "en") == "just now"
    assert i18n.format_ago(now - timedelta(seconds=10), now, "it") == "adesso"
    assert i18n.format_ago(now - timedelta(hours=3), now, "it") == "3 ore fa"


@pytest.mark.parametrize(
    ("seconds", "english", "italian"),
    [
        (0, "0 min", "0 min"),
        (59, "1 min", "1 min"),
        (1800, "30 min", "30 min"),
        (3600, "1 h", "1 h"),
        (12_000, "3 h 20 min", "3 h 20 min"),
        (47 * 3600 + 59 * 60, "47 h 59 min", "47 h 59 min"),
        (2 * 86_400 + 4 * 3600, "2 d 4 h", "2 g 4 h"),
        (3 * 86_400, "3 d", "3 g"),
        (1234 * 86_400 + 3600, "1,234 d 1 h", "1.234 g 1 h"),
    ],
)
def test_durations_read_as_words_in_the_reader_s_language(
    seconds: int, english: str, italian: str
) -> None:
    assert i18n.format_duration(seconds, "en") == english
    assert i18n.format_duration(seconds, "it") == italian


@pytest.mark.parametrize(
    ("seconds", "english", "italian"),
    [
        (40 * 60 + 50, "40 min", "40 min"),  # cut down, never a minute ahead
        (3599, "59 min", "59 min"),
        (2 * 3600 + 59 * 60, "2 h", "2 h"),
        (47 * 3600 + 59 * 60 + 59, "47 h", "47 h"),
        (74 * 3600 + 20 * 60, "3 d 2 h", "3 g 2 h"),
        (7 * 86_400 - 1, "6 d 23 h", "6 g 23 h"),
        (7 * 86_400 + 23 * 3600, "7 d", "7 g"),  # from a week on, whole days
        (2859 * 3600 + 50 * 60, "119 d", "119 g"),
    ],
)
def test_a_running_wait_reads_coarsely_so_it_does_not_change_every_minute(
    seconds: int, english: str, italian: str
) -> None:
    assert i18n.format_duration(seconds, "en", coarse=True) == english
    assert i18n.format_duration(seconds, "it", coarse=True) == italian
