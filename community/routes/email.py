"""Notification e-mails on or off: from the settings, and from the "stop these emails" link at the
foot of every message. The link works without signing in (it is signed for one member), and asks
before it changes anything, so a mail scanner that opens links does not turn e-mail off."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import notification_mail, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import FormStr
from community.routes.accounts import signed_in_user

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
