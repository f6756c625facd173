"""audit_changes on its own: what one entry's before and after read as, without a database."""

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from moderation.audit_changes import MAX_TEXT_CHARS, Names, Wanted, changes, humanised, wanted

ROME = ZoneInfo("Europe/Rome")
NAMES = Names(
    categories={3: "Fibra e ADSL", 4: "Mobile"},
    category_slugs={"fibra": "Fibra e ADSL", "mobile": "Mobile"},
    users={7: "sara"},
    threads={9: "Il modem si spegne la sera"},
)


def _read(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    target_type: str = "thread",
    language: str = "en",
) -> list[str]:
    found = changes(
        target_type=target_type,
        before=before,
        after=after,
        names=NAMES,
        language=language,
        zone=ROME,
    )
    return [f"{c.label}: {c.before} → {c.after}" for c in found]


def test_only_changed_fields_are_shown_and_a_move_reads_once() -> None:
    before = {"category_id": 3, "category": "fibra", "author_id": 7}
    after = {"category_id": 4, "category": "mobile", "author_id": 7}
    assert _read(before, after) == ["Category: Fibra e ADSL → Mobile"]
    assert _read(before, after, language="it") == ["Categoria: Fibra e ADSL → Mobile"]


def test_ids_of_deleted_rows_read_as_deleted_not_as_an_error() -> None:
    before = {"category_id": 30, "assignee_id": 70, "merged_into_id": None}
    after = {"category_id": 4, "assignee_id": 7, "merged_into_id": 90}
    assert _read(before, after) == [
        "Category: deleted category #30 → Mobile",
        "Merged into: — → deleted thread #90",
        "Assignee: member #70 → sara",
    ]
    assert _read({"categories": [3, 31]}, {"categories": []}, language="it") == [
        "Categorie: Fibra e ADSL, categoria eliminata n. 31 → —"
    ]


def test_unknown_fields_keep_a_humanised_name_and_plain_values() -> None:
    before = {"first_reply_id": None, "reopen_count": 1, "tags": ["wifi"], "urgent": False}
    after = {"first_reply_id": 12, "reopen_count": 1200, "tags": ["wifi", "modem"], "urgent": True}
    assert _read(before, after, language="it") == [
        "First reply: — → 12",
        "Reopen count: 1 → 1.200",
        "Tags: wifi → wifi, modem",
        "Urgent: No → Sì",
    ]
    assert humanised("hidden_by_id") == "Hidden by"


def test_moments_read_in_the_readers_zone_and_language() -> None:
    after = {"suspended_until": "2026-07-01T08:30:00+00:00"}
    assert _read({"suspended_until": None}, after) == [
        "Suspended until: — → Jul 1, 2026, 10:30\u202fAM CEST"
    ]
    assert _read({}, after, language="it") == ["Sospeso fino al: — → 1 lug 2026, 10:30 CEST"]
    found = changes(
        target_type="user", before={}, after=after, names=NAMES, language="en", zone=UTC
    )
    assert found[0].after == "Jul 1, 2026, 8:30\u202fAM UTC"


@pytest.mark.parametrize(
    ("target_type", "before", "after", "english", "italian"),
    [
        ("flag", {"status": "open"}, {"status": "upheld"}, "open → upheld", "aperta → accolta"),
        ("case", {"status": "open"}, {"status": "closed"}, "Open → Closed", "Aperto → Chiuso"),
        ("case", {"priority": "low"}, {"priority": "urgent"}, "Low → Urgent", "Bassa → Urgente"),
        ("flag", {"kind": "spam"}, {"kind": "mutual_kudos"}, "spam → mutual kudos", None),
        ("user", {"role": "member"}, {"role": "admin"}, "member → admin", None),
        (
            "post",
            {"hidden_reason": "personal_data"},
            {"hidden_reason": "moderator"},
            "personal data hidden → a moderator hid it",
            "dati personali nascosti → l'ha nascosto un moderatore",
        ),
        (
            "thread",
            {"hidden_reason": "awaiting_approval"},
            {"hidden_reason": None},
            "awaiting approval → —",
            "in attesa di approvazione → —",
        ),
    ],
)
def test_codes_read_through_the_apps_labels(
    target_type: str,
    before: dict[str, Any],
    after: dict[str, Any],
    english: str,
    italian: str | None,
) -> None:
    (line,) = _read(before, after, target_type=target_type)
    assert line.split(": ", 1)[1] == english
    if italian is not None:
        (line,) = _read(before, after, target_type=target_type, language="it")
        assert line.split(": ", 1)[1] == italian


def test_a_code_nobody_labelled_is_shown_as_it_is() -> None:
    assert _read({"status": "open"}, {"status": "escalated"}, target_type="case") == [
        "Status: Open → escalated"
    ]


def test_a_signal_correction_reads_as_the_signal_and_its_verdict() -> None:
    assert _read({"signal": "sentiment"}, {"signal": "sentiment", "value": "neutral"}) == [
        "Sentiment: — → neutral"
    ]
    needs = {"signal": "needs_brand", "value": "true"}
    assert _read(needs, {**needs, "value": "false"}, language="it") == [
        "Richiede il brand: Sì → No"
    ]


def test_a_canned_reply_reads_its_language_and_a_shortened_text() -> None:
    body = "Tieni premuto il tasto reset. " * 20
    lines = _read({}, {"title": "Reset", "body": body, "language": None}, language="it")
    assert lines[0] == "Titolo: — → Reset"
    assert lines[1].startswith("Testo: — → Tieni premuto") and lines[1].endswith("…")
    assert len(lines[1]) < len("Testo: — → ") + MAX_TEXT_CHARS + 1
    assert lines[2] == "Lingua: — → Qualsiasi lingua"
    assert _read({"language": "it", "title": "Reset"}, {}) == [
        "Title: Reset → —",
        "Language: Italian → —",
    ]


def test_an_empty_text_and_a_missing_field_are_no_change() -> None:
    assert _read({"name": "Casa", "description_it": ""}, {"name": "Casa"}) == []


def test_wanted_lists_what_a_page_names_once_each() -> None:
    states: list[dict[str, Any]] = [
        {"category_id": 3, "category": "fibra", "hidden_by_id": 7, "hidden": True},
        {"categories": [3, 4], "moved_to": "mobile", "merged_into_id": 9, "into_thread_id": 9},
        {"assignee_id": None, "author_id": True, "thread_id": "9"},  # not ids: left alone
    ]
    assert wanted(states) == Wanted(
        category_ids=frozenset({3, 4}),
        category_slugs=frozenset({"fibra", "mobile"}),
        user_ids=frozenset({7}),
        thread_ids=frozenset({9}),
    )
