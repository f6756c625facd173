"""The threads index, as data: what is searched, filtered, sorted and how it ranks.

``ensure_index`` applies it by code at start-up and before a reindex; doing it twice changes
nothing. Meilisearch synonyms are one-way, so each group below is expanded into "every term of a
group means every other term". The ``default`` embedder takes user-provided vectors (computed by
the worker, stored in the database); it is in the settings before the first document, and every
document carries ``_vectors.default`` (a list of floats, or null to opt out).
"""

from collections.abc import Iterable, Mapping
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError

EMBEDDER = "default"
EMBEDDING_DIMENSIONS = 384
TASK_TIMEOUT_MS = 30_000
TASK_POLL_MS = 10
PUBLIC_FILTER = 'visibility = "public"'
"""Every query for readers must carry this filter (deleted threads are removed anyway)."""

SEARCHABLE_ATTRIBUTES = ["title", "question", "solution", "best_replies", "tags", "category_name"]
FILTERABLE_ATTRIBUTES = [
    "category",
    "solved",
    "has_official_answer",
    "tags",
    "language",
    "author",
    "visibility",
    "created_at",
    "last_activity_at",
]
SORTABLE_ATTRIBUTES = ["last_activity_at", "created_at", "kudos_count", "reply_count"]
RANKING_RULES = [
    "words",
    "typo",
    "proximity",
    "attribute",
    "sort",
    "exactness",
    # Among equally relevant threads: solved ones first, then the most appreciated.
    "solved_rank:desc",
    "kudos_count:desc",
]

# Italian and English telecom vocabulary: each group is a set of interchangeable words.
SYNONYM_GROUPS: list[list[str]] = [
    ["fibra", "fiber", "fibre", "ftth", "fttc"],
    ["bolletta", "bill", "fattura", "invoice"],
    ["ricarica", "top-up", "topup", "recharge", "credito", "credit"],
    ["modem", "router"],
    ["disdetta", "cancellation", "recesso", "cancel"],
    ["rimborso", "refund"],
    ["linea", "line"],
    ["velocità", "velocita", "speed"],
    ["copertura", "coverage", "segnale", "signal"],
    ["addebito", "charge"],
    ["pagamento", "payment"],
    ["offerta", "offer", "piano", "plan", "tariffa", "tariff"],
    ["contratto", "contract"],
    ["guasto", "fault", "outage", "disservizio"],
    ["lenta", "lento", "slow"],
    ["rete", "network"],
    ["portabilità", "portabilita", "portability", "porting"],
    ["chiamata", "call", "chiamate", "calls"],
    ["messaggio", "sms", "text"],
    ["telefono", "phone", "cellulare", "mobile", "smartphone"],
    ["scheda", "sim"],
    ["installazione", "installation", "attivazione", "activation"],
    ["tecnico", "technician"],
    ["assistenza", "support", "helpdesk"],
    ["disconnessione", "disconnection", "disconnects", "drops", "cade"],
    ["roaming", "estero", "abroad"],
    ["password", "credenziali", "credentials"],
]

# Only words that carry no meaning in a support question. Negations ("non", "not", "no") are
# NOT stop words: "non funziona" and "works" must not match alike.
STOP_WORDS: list[str] = sorted(
    {
        # English
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by",
        "from", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
        "those", "i", "my", "me", "we", "our", "you", "your", "do", "does", "did", "have", "has",
        "had", "there", "any", "some", "please", "hi", "hello", "thanks",
        # Italian
        "il", "lo", "la", "gli", "le", "un", "uno", "una", "di", "da", "con", "su",
        "per", "tra", "fra", "del", "dello", "della", "dei", "degli", "delle", "al", "allo",
        "alla", "ai", "agli", "alle", "dal", "dalla", "nel", "nella", "sul", "sulla", "e", "ed",
        "o", "che", "mi", "ho", "ha", "è", "sono", "questo", "questa", "ciao", "salve", "grazie",
    }
)  # fmt: skip


def synonyms(groups: Iterable[list[str]] = SYNONYM_GROUPS) -> dict[str, list[str]]:
    """Every term of a group maps to all the other terms of its group (and of other groups it
    is in)."""
    table: dict[str, list[str]] = {}
    for group in groups:
        for term in group:
            others = table.setdefault(term, [])
            others.extend(other for other in group if other != term and other not in others)
    return table


# Every search on the index ends after this many milliseconds with the hits ranked so far. A
# suggestion for a question nobody asked has no hit above search.similar.SCORE_THRESHOLD, and
# Meilisearch then ranks the whole index looking for one: 1.5 s (its default cut-off) at 100,000
# threads, against 1-10 ms for every other search (bench/search_bench.py). At 50 ms those answers
# are just as empty, and a keyword search (p99 12 ms at 100,000 threads) is never cut short.
SEARCH_CUTOFF_MS = 50

THREADS_SETTINGS: dict[str, Any] = {
    "searchableAttributes": SEARCHABLE_ATTRIBUTES,
    "filterableAttributes": FILTERABLE_ATTRIBUTES,
    "sortableAttributes": SORTABLE_ATTRIBUTES,
    "rankingRules": RANKING_RULES,
    "displayedAttributes": ["*"],
    "typoTolerance": {"enabled": True},
    "synonyms": synonyms(),
    "stopWords": STOP_WORDS,
    "embedders": {EMBEDDER: {"source": "userProvided", "dimensions": EMBEDDING_DIMENSIONS}},
    "vectorStore": "experimental",  # HNSW: see search.client.EXPERIMENTAL_FEATURES
    "searchCutoffMs": SEARCH_CUTOFF_MS,
}


class IndexTaskFailed(RuntimeError):
    """A Meilisearch task ended ``failed`` or ``canceled`` (the client does not raise for it)."""


def wait(client: meilisearch.Client, task_uid: int, *, timeout_ms: int = TASK_TIMEOUT_MS) -> None:
    """Wait for a task with a short poll; raise ``IndexTaskFailed`` unless it succeeded."""
    task = client.wait_for_task(task_uid, timeout_in_ms=timeout_ms, interval_in_ms=TASK_POLL_MS)
    if task.status != "succeeded":
        raise IndexTaskFailed(f"task {task.uid} ({task.type}) {task.status}: {task.error}")


def ensure_index(
    client: meilisearch.Client, name: str, settings: Mapping[str, Any] = THREADS_SETTINGS
) -> None:
    """Create the index ``name`` if it is missing, then apply ``settings`` (idempotent)."""
    try:
        client.get_index(name)
    except MeilisearchApiError as error:
        if error.code != "index_not_found":
            raise
        wait(client, client.create_index(name, {"primaryKey": "id"}).task_uid)
    wait(client, client.index(name).update_settings(dict(settings)).task_uid)
