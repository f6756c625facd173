"""Schemathesis over the OpenAPI spec: whatever a client sends, the API never answers 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session

from community.models import ApiToken
from community.security import new_api_token
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture
def api_token(session: Session, clock) -> str:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="fibra")
    thread = make_thread(session, clock, author=asker, category=category)
    make_reply(session, clock, author=helper, thread=thread)
    token, digest = new_api_token()
    assert asker.id is not None
    session.add(
        ApiToken(
            user_id=asker.id,
            name="fuzz",
            token_hash=digest,
            prefix=token[:10],
            created_at=clock.now(),
        )
    )
    session.commit()
    return token


def test_api_never_answers_5xx(app, api_token: str) -> None:
    """Every operation, with generated valid and invalid inputs, as a signed-in member."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {api_token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        check()
    assert operations >= 20, f"only {operations} operations in the spec"
    assert not failures, "\n".join(failures[:10])
