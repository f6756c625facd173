"""Every search on the threads index has a time budget, so a suggestion that finds nothing above
the relevance cut-off answers (empty) at once instead of ranking the whole index for 1.5 s."""

import meilisearch

from search.index_settings import SEARCH_CUTOFF_MS, ensure_index
from search.server import MeiliEndpoint
from search.similar import similar_request


def test_the_threads_index_bounds_the_time_of_every_search(
    meili: MeiliEndpoint, meili_prefix: str
) -> None:
    client = meilisearch.Client(meili.url, api_key=meili.master_key, timeout=10)
    uid = f"{meili_prefix}_threads"

    ensure_index(client, uid)
    ensure_index(client, uid)  # applying the settings again changes nothing

    settings: dict[str, object] = client.index(uid).get_settings()
    assert settings["searchCutoffMs"] == SEARCH_CUTOFF_MS


def test_an_off_topic_question_gets_an_empty_answer_within_the_budget(
    meili: MeiliEndpoint, meili_prefix: str
) -> None:
    client = meilisearch.Client(meili.url, api_key=meili.master_key, timeout=10)
    uid = f"{meili_prefix}_threads"
    ensure_index(client, uid)
    east = [1.0] + [0.0] * 383
    north = [0.0, 1.0] + [0.0] * 382
    documents = [
        {"id": 1, "title": "Fibre drops every evening", "visibility": "public",
         "_vectors": {"default": east}},
    ]  # fmt: skip
    task = client.index(uid).add_documents(documents, "id")
    assert client.wait_for_task(task.task_uid, timeout_in_ms=30_000).status == "succeeded"

    answer = client.index(uid).search("renew my passport", similar_request(north))

    assert answer["hits"] == []
    assert answer["processingTimeMs"] <= SEARCH_CUTOFF_MS + 50
