"""The care dashboard (``/care/analytics``) and its CSV export (``GET /api/v1/analytics.csv``).

Both take the parameters of ``GET /api/v1/analytics`` (from, to, category, language) from the
URL, so a view can be shared and reloaded; without dates they show the last 28 days.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from community import i18n, listing, web
from community.clock import Clock
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Invalid
from community.i18n import N_
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import analytics, analytics_export
from moderation.charts import Point, Series, bar_chart, line_chart, lines_chart

router = APIRouter()

DEFAULT_DAYS = 28
DayParam = Annotated[str, Query(alias="from", max_length=40)]
ToParam = Annotated[str, Query(alias="to", max_length=40)]
CategoryParam = Annotated[str, Query(max_length=60)]
LanguageParam = Annotated[str, Query(max_length=8)]


def _with_defaults(start: str, end: str, clock: Clock) -> tuple[str, str]:
    today = clock.now().date()
    if not end.strip():
        end = today.isoformat()
    if not start.strip():
        start = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return start, end


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


def _charts(figures: analytics.Figures, language: str) -> dict[str, Markup]:
    """The dashboard's charts in the reader's language: titles, names and week labels."""

    def _(message: str) -> str:
        return i18n.gettext(language, message)

    def week(day: date) -> str:
        return i18n.format_day_month(day, language)

    weeks = [Point(week(w.week_start), w.negative_share * 100) for w in figures.sentiment]
    categories = figures.by_category
    trend = figures.weeks

    def weekly(name: str, value: Callable[[analytics.Week], float | None]) -> Series:
        return Series(name, [Point(week(w.week_start), _percent(value(w))) for w in trend])

    return {
        "weeks": lines_chart(
            [
                weekly(_(N_("Response rate")), lambda w: w.response_rate),
                weekly(_(N_("Brand response rate")), lambda w: w.brand_response_rate),
                weekly(_(N_("Threads solved")), lambda w: w.solved_share),
                weekly(_(N_("Service-level breaches")), lambda w: w.breach_share),
            ],
            title=_(N_("Threads per week of creation")),
            description=_(
                N_(
                    "Shares of the threads created each ISO week: with a reply, with a brand "
                    "reply, solved, and past their first-response target."
                )
            ),
            fmt=lambda v: f"{v:.0f}%",
            integer=True,
            top=100.0,
        ),
        "sentiment": line_chart(
            weeks,
            title=_(N_("Negative posts per week")),
            description=_(N_("Share of posts whose sentiment is negative, per ISO week.")),
            fmt=lambda v: f"{v:.0f}%",
            integer=True,
        ),
        "breaches": bar_chart(
            [Point(c.name, _percent(c.figures.breach_share)) for c in categories],
            title=_(N_("Service-level breaches per category")),
            description=_(N_("Share of threads that missed their first-response target.")),
            fmt=lambda v: f"{v:.0f}%",
            integer=True,
        ),
        "response": bar_chart(
            [Point(c.name, _percent(c.figures.response_rate)) for c in categories],
            title=_(N_("Response rate per category")),
            description=_(N_("Share of threads with a reply from someone other than the asker.")),
            fmt=lambda v: f"{v:.0f}%",
            integer=True,
        ),
    }


# Where the brand's people work (base.html's nav slot); the audit log and the background
# deliveries (failed e-mail, CRM webhooks) are the admins'.
_STAFF_LINKS = (
    ("/mod/queue", N_("Queue")),
    ("/mod/cases", N_("Cases")),
    ("/mod/canned", N_("Canned replies")),
    ("/care/analytics", N_("Analytics")),
    ("/mod/advocates", N_("Advocates")),
)
_ADMIN_LINKS = (
    ("/mod/audit", N_("Audit log"), Guardian.can_browse_audit),
    ("/mod/outbox", N_("Deliveries"), Guardian.can_manage_outbox),
)


def staff_nav(request: Request, values: dict[str, object]) -> str:
    guardian = values.get("guardian")
    if not isinstance(guardian, Guardian) or not guardian.can_see_analytics():
        return ""
    _ = web.translator(request)
    admin_links = [(url, label) for url, label, may_open in _ADMIN_LINKS if may_open(guardian)]
    links = [*_STAFF_LINKS, *admin_links]
    return "".join(web.nav_item(request, url, _(label)) for url, label in links)


def register_slots() -> None:
    web.add_slot("site_nav", "moderation.staff", staff_nav)


@router.get("/care/analytics")
def dashboard(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    start: DayParam = "",
    end: ToParam = "",
    category: CategoryParam = "",
    language: LanguageParam = "",
) -> Response:
    ensure_signed_in(guardian)
    ensure(guardian.can_see_analytics(), "Only moderators and admins can see the analytics.")
    start, end = _with_defaults(start, end, clock)
    values = {
        "start": start,
        "end": end,
        "category": category.strip(),
        "language": language.strip(),
    }
    errors: dict[str, str] = {}
    figures: analytics.Figures | None = None
    try:
        figures = analytics.figures_for(
            session,
            guardian,
            start=start,
            end=end,
            category=category,
            language=language,
            clock=clock,
        )
    except Invalid as exc:
        errors = web.form_errors(request, exc)
    query = request.url.query
    return web.render(
        request,
        "moderation/analytics.html",
        status_code=422 if errors else 200,
        figures=figures,
        charts=_charts(figures, web.language_of(request)) if figures else {},
        values=values,
        errors=errors,
        categories=listing.list_categories(session),
        csv_url="/api/v1/analytics.csv" + (f"?{query}" if query else ""),
        share=share,
    )


@router.get("/api/v1/analytics.csv", tags=["analytics"])
def analytics_csv(
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    start: DayParam = "",
    end: ToParam = "",
    category: CategoryParam = "",
    language: LanguageParam = "",
) -> Response:
    """Every figure of ``GET /api/v1/analytics`` as CSV (section, scope, figure, value)."""
    start, end = _with_defaults(start, end, clock)
    figures = analytics.figures_for(
        session, guardian, start=start, end=end, category=category, language=language, clock=clock
    )
    name = f"peerdesk-analytics-{figures.start.isoformat()}-{figures.end.isoformat()}.csv"
    return Response(
        analytics_export.to_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
