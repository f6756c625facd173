"""The admins' page of background deliveries (``/mod/outbox``) and its "Retry parked deliveries"
forms, one per consumer and one for all. A retry answers with a 303 back to the page and a flash
message saying how many deliveries were put back in line (or that nothing was parked); an unknown
consumer gets the page again with the message (422). Members and moderators get 403, signed-out
visitors are sent to log in (the page) or get 401 (the forms).
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import events, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Invalid
from community.i18n import N_, Plural
from community.policy import Guardian
from moderation import outbox_health

router = APIRouter()

PAGE = "/mod/outbox"
ConsumerField = Annotated[str, Form(max_length=60)]


@router.get(PAGE)
def outbox_page(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, PAGE)
    return _render(request, session, guardian)


@router.post(f"{PAGE}/retry")
def retry_parked(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    consumer: ConsumerField = "",
) -> Response:
    try:
        retried = outbox_health.retry_parked(
            session, guardian, consumer=consumer.strip() or None, clock=clock
        )
    except Invalid as exc:
        session.rollback()
        error = web.error_message(request, exc)
        return _render(request, session, guardian, error=error, status_code=422)
    _confirm(request, retried)
    return web.redirect(PAGE)


def _confirm(request: Request, retried: outbox_health.Retried) -> None:
    num, consumer = retried.put_back, retried.consumer
    if consumer is None and not num:
        web.flash(request, N_("Nothing was parked: there was nothing to put back in line."))
    elif consumer is None:
        web.flash(
            request,
            Plural(
                "%(num)s parked delivery put back in line.",
                "%(num)s parked deliveries put back in line.",
                num,
            ),
        )
    elif not num:
        web.flash(
            request,
            N_("Nothing of %(consumer)s was parked: there was nothing to put back in line."),
            consumer=consumer,
        )
    else:
        web.flash(
            request,
            Plural(
                "%(num)s parked delivery of %(consumer)s put back in line.",
                "%(num)s parked deliveries of %(consumer)s put back in line.",
                num,
            ),
            consumer=consumer,
        )


def _render(
    request: Request,
    session: Session,
    guardian: Guardian,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "moderation/outbox.html",
        status_code=status_code,
        health=outbox_health.health(session, guardian),
        labels=outbox_health.CONSUMER_LABELS,
        retryable=set(events.registry.consumers),
        max_attempts=events.MAX_ATTEMPTS,
        error=error,
    )
