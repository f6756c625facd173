"""Composition root: settings, routers, error handlers, outbox consumers and the worker."""

import gc
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from community import (
    api,
    badges,
    error_pages,
    events,
    mail_consumer,
    notifications,
    routes,
    web,
)
from community.clock import Clock, SystemClock
from community.csrf import CSRFMiddleware
from community.db import get_engine
from community.errors import DomainError, NotAuthenticated
from community.i18n import N_
from community.security_headers import SecurityHeadersMiddleware
from community.settings import PROJECT_ROOT, CommunitySettings, get_settings
from community.worker import OutboxWorker, process_setups
from moderation import (
    advocate_demo,
    audit,
    bulk_move_routes,
    canned,
    canned_routes,
    care,
    care_api,
    care_routes,
    case_api,
    case_export,
    case_routes,
    erased_accounts,
    outbox_api,
    outbox_routes,
    webhooks,
)
from moderation import categories as moderation_categories
from moderation.advocate_api import router as advocates_api
from moderation.advocate_routes import router as advocates_pages
from moderation.analytics_api import router as analytics_api
from moderation.analytics_routes import register_slots as register_staff_nav
from moderation.analytics_routes import router as analytics_pages
from moderation.api_tools import router as moderation_tools_api
from moderation.routes_tools import router as moderation_tools_pages
from moderation.satisfaction import consumer as satisfaction_consumer
from moderation.satisfaction import install as install_satisfaction_backfill
from moderation.satisfaction_api import router as satisfaction_api
from moderation.satisfaction_routes import register_slots as register_satisfaction_slots
from moderation.satisfaction_routes import router as satisfaction_pages
from moderation.signals import worker as signals_worker
from moderation.signals.cli import register as register_signal_commands
from search import api as search_api
from search import deflection, embeddings, indexer, suggestions_api, suggestions_routes
from search import routes as search_routes
from search.cli import register as register_search_commands
from search.runtime import start_search
from search.settings import SearchSettings

log = logging.getLogger("peerdesk")


def configure_consumers() -> None:
    """Every outbox consumer of this deployment; the CLI and the tests call this too."""
    events.registry.add(notifications.consumer())
    events.registry.add(badges.consumer())
    events.registry.add(mail_consumer.consumer())
    # Embeddings before search: a new post's vector is stored before the indexer writes its
    # thread, so one Meilisearch write carries it (post_embedded then finds it written).
    events.registry.add(embeddings.consumer())
    # Signals before search too: a post with personal data is hidden before the indexer's turn,
    # so an in-process worker never puts it in the index, not even until the next pass.
    events.registry.add(signals_worker.consumer())
    # A new post with personal data is held from the start (the consumer sees only edits' data).
    signals_worker.install()
    events.registry.add(indexer.consumer())
    events.registry.add(deflection.consumer())
    events.registry.add(webhooks.consumer())
    events.registry.add(care.consumer())
    events.registry.add(satisfaction_consumer())
    install_satisfaction_backfill()  # what the consumer would have asked of seeded solutions
    moderation_categories.install()  # a deleted category takes moderation's rows along
    canned.install_demo()  # the demo's canned replies, for a seeded community
    advocate_demo.install()  # and its advocate, for the advocate programme's pages
    events.registry.add(audit.consumer())
    case_export.install()  # the member's private cases in their copy of their data
    erased_accounts.install()  # a deleted account's claims and cases are let go
    deflection.install()  # and its suggestion clicks unattributed


GC_YOUNGEST_THRESHOLD = 20_000  # allocations between two collections of the youngest objects


def create_app(
    settings: CommunitySettings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    start_worker: bool | None = None,
    search: SearchSettings | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    search_settings = search or SearchSettings(var_dir=settings.var_dir)
    configure_consumers()
    engine = engine or get_engine(settings.sqlalchemy_url)
    clock = clock or SystemClock()
    run_worker = settings.run_worker_in_process if start_worker is None else start_worker

    @asynccontextmanager
    async def lifespan(running_app: FastAPI) -> AsyncIterator[None]:
        worker = OutboxWorker(engine, clock, poll_seconds=settings.outbox_poll_seconds)
        search_runtime = start_search(search_settings)
        running_app.state.search = search_runtime.service
        indexer.bind_service(search_runtime.service)
        if run_worker:
            worker.start()
        # What exists now lives as long as the app: kept out of the collector's sweeps, a full
        # collection pauses a request for about 10 ms instead of 50-80; and a request allocates
        # enough to trigger one every dozen requests at the default thresholds (bench/README.md).
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(GC_YOUNGEST_THRESHOLD, *thresholds[1:])
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
            worker.stop()
            indexer.bind(None)
            search_runtime.stop()

    app = FastAPI(
        title="peerdesk API",
        version="1.0",
        description="Peer-support community: threads, replies, kudos, solutions, notifications.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.clock = clock
    app.state.settings = settings
    app.state.search_settings = search_settings
    app.state.search = None  # a search.client.SearchService once the lifespan has started

    app.add_middleware(CSRFMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="peerdesk_session",
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.include_router(api.router)
    app.include_router(search_api.router)
    app.include_router(suggestions_api.router)
    # Before the forum's /t/{thread_id}/{slug}, which would take /t/new/similar for a thread.
    app.include_router(suggestions_routes.router, include_in_schema=False)
    app.include_router(routes.router, include_in_schema=False)
    app.include_router(case_api.router)
    app.include_router(case_routes.router, include_in_schema=False)
    app.include_router(canned_routes.router, include_in_schema=False)
    app.include_router(care_api.router)
    app.include_router(care_routes.router, include_in_schema=False)
    care_routes.install()
    case_routes.register_slots()
    app.include_router(satisfaction_api)
    app.include_router(satisfaction_pages, include_in_schema=False)
    register_satisfaction_slots()
    register_staff_nav()
    canned_routes.register_slots()
    app.include_router(moderation_tools_api)
    app.include_router(moderation_tools_pages, include_in_schema=False)
    app.include_router(bulk_move_routes.router, include_in_schema=False)
    bulk_move_routes.register_slots()
    app.include_router(advocates_api)
    app.include_router(analytics_api)
    app.include_router(analytics_pages, include_in_schema=False)
    app.include_router(advocates_pages, include_in_schema=False)
    app.include_router(outbox_api.router)
    app.include_router(outbox_routes.router, include_in_schema=False)
    app.include_router(search_routes.router, include_in_schema=False)
    _install_error_handlers(app)
    return app


def _favicon() -> Response:
    """Browsers ask for /favicon.ico whatever a page links; the mark is an SVG (base.html)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


NOT_FOUND = N_("The address may be mistyped, or the page may have moved or been removed.")
HTTP_MESSAGES = {404: NOT_FOUND, 405: N_("Method not allowed.")}
SOMETHING_WRONG = N_("Something went wrong.")


def _translated(message: str) -> Callable[[Request], str]:
    return lambda reader: web.translator(reader)(message)


def _install_error_handlers(app: FastAPI) -> None:
    # Plain functions, which Starlette runs in its thread pool: error_pages.respond may read the
    # database to learn who is reading.
    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, NotAuthenticated) and error_pages.is_page_visit(request):
            # Log in and come back; a member who may not see the page still gets 403.
            return web.login_redirect(request)
        extra = {"field": exc.field} if exc.field else {}
        return error_pages.respond(
            request, exc.status_code, lambda reader: web.error_message(reader, exc), **extra
        )

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = exc.errors()
        if error_pages.names_a_missing_page(request, problems):
            return error_pages.respond(request, 404, _translated(NOT_FOUND))
        listed = [
            {"field": error_pages.field_name(p), "message": p.get("msg", "invalid")}
            for p in problems
        ]
        return error_pages.respond(
            request, 422, lambda reader: error_pages.describe(reader, problems), errors=listed
        )

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = HTTP_MESSAGES.get(exc.status_code)
        if message is None:
            message = exc.detail if isinstance(exc.detail, str) else SOMETHING_WRONG
        return error_pages.respond(request, exc.status_code, _translated(message))


def _search_in_worker(consumers: Collection[str]) -> Callable[[], None]:
    """Search for a ``peerdesk worker`` process that runs the search consumer, found as the app
    finds it (MEILI_URL, else the managed Meilisearch of var/, started here if nothing runs it)."""
    if indexer.CONSUMER not in consumers:
        return lambda: None
    runtime = start_search(SearchSettings(var_dir=get_settings().var_dir))
    indexer.bind_service(runtime.service)

    def stop() -> None:
        indexer.bind(None)
        runtime.stop()

    return stop


def cli() -> None:
    from community.cli import app as cli_app

    configure_consumers()
    process_setups.append(_search_in_worker)
    register_search_commands(cli_app)
    register_signal_commands(cli_app)
    cli_app()


app_factory = create_app
