"""The member's e-mail: confirming the address (from the link sent at sign-up or before a change),
changing it, and notification e-mails on or off, from the settings or from the "stop these
emails" link at the foot of every message. The links work without signing in (each is made for
one member), and ask before they change anything, so a mail scanner that opens links changes
nothing."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import email_confirmation, notification_mail, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import DomainError
from community.i18n import N_
from community.params import FormStr
from community.routes.accounts import render_settings, signed_in_user
from community.routes.password import PRIVATE_ADDRESS

router = APIRouter()


@router.get("/email/off/{token}")
def stop_emails_page(
    request: Request, token: str, session: SessionDep, _guardian: GuardianDep
) -> Response:
    member = notification_mail.member_of_link(session, token)
    return web.render(request, "community/email_off.html", member=member, token=token, done=False)


@router.post("/email/off/{token}")
def stop_emails(
    request: Request, token: str, session: SessionDep, clock: ClockDep, _guardian: GuardianDep
) -> Response:
    member = notification_mail.member_of_link(session, token)
    notification_mail.set_email_notifications(session, member, on=False, clock=clock)
    return web.render(request, "community/email_off.html", member=member, token=token, done=True)


@router.post("/settings/email")
def email_settings(
    session: SessionDep, guardian: GuardianDep, clock: ClockDep, email_notifications: FormStr = ""
) -> Response:
    user = signed_in_user(guardian)
    on = email_notifications == "on"  # an unticked box sends nothing
    notification_mail.choose(session, guardian, user, on=on, clock=clock)
    return web.redirect("/settings?saved=email#email-settings")


@router.post("/settings/email/address")
def change_address(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    email: FormStr = "",
    password: FormStr = "",
) -> Response:
    user = signed_in_user(guardian)
    try:
        email_confirmation.ask_to_change(
            session, guardian, user, new_email=email, password=password, clock=clock
        )
    except DomainError as exc:
        return render_settings(
            request,
            session,
            guardian,
            errors=web.form_errors(request, exc),
            values={"email": email},
            status_code=exc.status_code,
        )
    web.flash(
        request,
        N_("We have sent a link to %(email)s. Your address changes when you open it."),
        email=email.strip().lower(),
    )
    return web.redirect("/settings#email-settings")


@router.post("/settings/email/confirm-again")
def confirm_again(
    request: Request, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    user = signed_in_user(guardian)
    try:
        email_confirmation.ask_again(session, guardian, user, clock=clock)
    except DomainError as exc:
        return render_settings(
            request,
            session,
            guardian,
            errors={"confirm": web.error_message(request, exc)},
            status_code=exc.status_code,
        )
    web.flash(request, N_("We have sent the link again to %(email)s."), email=user.email)
    return web.redirect("/settings#email-settings")


@router.get("/email/confirm/{token}")
def confirm_page(
    request: Request, token: str, session: SessionDep, clock: ClockDep, _guardian: GuardianDep
) -> Response:
    try:
        link = email_confirmation.open_link(session, token, clock=clock)
    except DomainError as exc:
        return _confirm_answer(
            request, error=web.error_message(request, exc), status=exc.status_code
        )
    return _confirm_answer(request, token=token, email=link.email)


@router.post("/email/confirm/{token}")
def confirm(
    request: Request, token: str, session: SessionDep, clock: ClockDep, _guardian: GuardianDep
) -> Response:
    try:
        user = email_confirmation.confirm(session, token, clock=clock)
    except DomainError as exc:
        return _confirm_answer(
            request, error=web.error_message(request, exc), status=exc.status_code
        )
    return _confirm_answer(request, email=user.email, done=True)


def _confirm_answer(
    request: Request,
    *,
    token: str = "",
    email: str = "",
    done: bool = False,
    error: str = "",
    status: int = 200,
) -> Response:
    answer = web.render(
        request,
        "community/email_confirm.html",
        status_code=status,
        token=token,
        email=email,
        done=done,
        error=error,
    )
    answer.headers.update(PRIVATE_ADDRESS)
    return answer
