"""Who is asking, above the thread, for the moderator answering: the asker's other questions and
private cases still going. Members never see it."""

from sqlmodel import Session, col, select

from community import posting
from community.clock import FrozenClock
from community.models import Post, Role
from community.policy import Guardian
from moderation import cases
from moderation.models import CaseStatus
from tests.factories import make_category, make_thread, make_user
from tests.moderation.brand_helpers import client_for, open_case


def test_a_moderator_sees_the_askers_other_questions_and_cases(
    app, session: Session, clock: FrozenClock
) -> None:
    marta = make_user(session, clock, username="marta")
    mod = make_user(session, clock, username="sara", role=Role.moderator)
    category = make_category(session)
    first = make_thread(session, clock, author=marta, category=category, title="Bolletta doppia")
    clock.advance(days=2)
    gone = make_thread(session, clock, author=marta, category=category, title="Vecchia domanda")
    posting.delete_post(session, Guardian(marta), _question(session, gone.id), clock=clock)
    clock.advance(days=3)
    case = open_case(session, clock, mod, first)
    done = open_case(session, clock, mod, gone)
    for status in (CaseStatus.resolved, CaseStatus.closed):
        cases.update_case(session, Guardian(mod), done, status=status, clock=clock)
    current = make_thread(session, clock, author=marta, category=category, title="Fibra lenta")

    page = client_for(app, mod).get(f"/t/{current.id}").text

    card = page.split('id="customer-context"', 1)[1].split("</details>", 1)[0]
    assert "About Marta" in card
    assert "1 other question" in card and "1 private case going" in card
    assert "Bolletta doppia" in card and f"/mod/cases/{case.id}" in card
    assert "Vecchia domanda" not in card  # deleted
    assert "Fibra lenta" not in card  # the thread itself


def test_a_first_question_says_so(app, session: Session, clock: FrozenClock) -> None:
    marta = make_user(session, clock, username="marta")
    mod = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(session, clock, author=marta, category=make_category(session))

    page = client_for(app, mod).get(f"/t/{thread.id}").text

    assert "This is their first question." in page


def test_members_and_readers_never_see_it(app, session: Session, clock: FrozenClock) -> None:
    marta = make_user(session, clock, username="marta")
    make_thread(
        session, clock, author=marta, category=make_category(session), title="La prima domanda"
    )
    thread = make_thread(session, clock, author=marta, category=make_category(session))

    for viewer in (marta, make_user(session, clock, username="luca"), None):
        page = client_for(app, viewer).get(f"/t/{thread.id}").text
        assert 'id="customer-context"' not in page
        assert "About Marta" not in page


def _question(session: Session, thread_id: int | None) -> Post:
    query = select(Post).where(col(Post.thread_id) == thread_id, col(Post.post_number) == 1)
    return session.exec(query).one()
