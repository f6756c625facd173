"""Deleting one's own account from the settings (community.account_erasure)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import account_erasure, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import DomainError
from community.i18n import N_
from community.params import FormStr
from community.routes.accounts import render_settings, signed_in_user

router = APIRouter()


@router.post("/settings/delete-account")
def delete_account(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    erase_password: FormStr = "",
) -> Response:
    user = signed_in_user(guardian)
    try:
        account_erasure.erase(session, guardian, user, password=erase_password, clock=clock)
    except DomainError as exc:
        errors = {
            f"erase_{key}" if key != "form" else "erase": message
            for key, message in web.form_errors(request, exc).items()
        }
        return render_settings(
            request, session, guardian, errors=errors, status_code=exc.status_code
        )
    request.session.clear()
    web.flash(request, N_("Your account has been deleted. Thank you for your help here."))
    return web.redirect("/")
