"""The FastAPI application, built by a factory; clients are made in the lifespan, not at import."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.dispatch import DispatchingPipeline
from ingest.indexing import rebuild

from . import errors, web
from .deps import count, identify, require_key
from .limits import RateLimited
from . import logs
from .metrics import Metrics, RequestWatch, may_read
from .oidc import ProviderUnavailable, TokenRejected
from .routes import audit, citizens, dossiers, events, exports, me, pages, receipts, retention, search, stats
from .routes import sign_in
from .services import Services
from .settings import Settings
from .webhooks import EventDelivery

log = logging.getLogger(__name__)
READY_TIMEOUT = 5.0  # seconds the store and the index have to answer /readyz


class UploadLimit:
    """Count an upload against its caller's limit before its body is read: a caller over the
    limit is answered 429 at once, and the files it was sending are never received. A request
    whose credentials name nobody goes on, for the route to refuse (and audit) as it does."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        services: Services = scope["app"].state.services
        scheme, _, token = (Headers(scope=scope).get("authorization") or "").partition(" ")
        try:
            caller = await asyncio.to_thread(identify, services, token.strip()) if scheme.lower() == "bearer" else None
            if caller is not None:
                await asyncio.to_thread(count, services, "uploads", caller, self.path)
        except (TokenRejected, ProviderUnavailable):
            pass
        except RateLimited as e:
            response = errors.error(429, e.code, str(e), headers={"Retry-After": str(e.retry_after),
                                                                   "Connection": "close"})  # the body is not read
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class RequestSizeLimit:
    """Refuse a request over `limit` bytes: before reading it when its Content-Length says so,
    and as soon as the limit is passed when it streams without one (chunked), so a body is never
    read, into memory or to disk, further than the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, receive, send)
        received, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    raise _BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if over:  # what the route makes of a body cut short (FastAPI: a 400) is not sent
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = errors.error(413, "request_too_large", f"the request is larger than {self.limit} bytes",
                                headers={"Connection": "close"})  # the rest of the body is not read
        await response(scope, receive, send)


class RecordHeaders:
    """Every answer says `nosniff` (an original uploaded as a PNG is never run as HTML), and an
    API answer that sets no caching of its own is `no-store`: originals, dossier JSON and
    citizen data must not stay in a browser's or a proxy's cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        api = scope["path"].startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if api:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = Metrics()
    if settings.log_json:
        logs.enable()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services = Services.open(settings, metrics)
        if getattr(services.index, "schema_reset", False):  # an older index file was dropped
            log.warning("the search index format changed; rebuilding it from the store before serving")
            count = await asyncio.to_thread(rebuild, services.records, services.index)
            log.warning("search index rebuilt: %d documents", count)
        services.trust_roots  # noqa: B018 - make the signing identity before workers race to
        pipeline = services.server_pipeline()
        pipeline.start()
        metrics.watch_queue(lambda: pipeline.waiting, lambda: pipeline.in_progress)
        if isinstance(pipeline, DispatchingPipeline):
            metrics.watch_broker(pipeline.queue.depth)
        app.state.services, app.state.pipeline = services, pipeline
        watcher = asyncio.create_task(pipeline.watch(settings.rescan_seconds))  # resumes at once
        delivery = EventDelivery(services.records, settings.events, settings.rescan_seconds)
        deliverer = asyncio.create_task(delivery.run())
        try:
            yield
        finally:
            watcher.cancel()
            deliverer.cancel()
            await pipeline.close()
            await asyncio.to_thread(services.close)  # seals the audit chain: pyHanko runs its own loop

    # Swagger UI and ReDoc would load their scripts from a CDN into a page holding an API key:
    # not served. The schema is served to callers with a key (`/v1/openapi.json`).
    app = FastAPI(title="HoSo", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, description="Digitised dossiers as signed, searchable electronic records.")
    errors.install(app)

    app.add_middleware(RequestSizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(UploadLimit, path=f"/v1{dossiers.router.prefix}")  # before the files are read
    app.add_middleware(RecordHeaders)  # on the answers of the two above as well
    watchers = (metrics.request_answered, *([logs.request_answered] if settings.log_json else []))
    app.add_middleware(RequestWatch, watchers=watchers)  # outermost: sees the answers of the others too

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])
    v1.include_router(dossiers.router)
    v1.include_router(search.router)
    v1.include_router(citizens.router)
    for router in (pages.router, receipts.router, me.router):  # what the web pages read
        v1.include_router(router)
    v1.include_router(audit.router)
    v1.include_router(retention.router)
    v1.include_router(stats.router)
    v1.include_router(events.router)
    v1.include_router(exports.router)

    @v1.get("/openapi.json", tags=["operations"], include_in_schema=False)
    async def schema() -> dict:
        return app.openapi()

    app.include_router(v1)
    app.include_router(sign_in.router, prefix="/v1")  # public: how the pages sign in

    @app.get("/healthz", tags=["operations"])
    async def health() -> dict:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {}})
    async def ready() -> JSONResponse:
        """Readiness: the object store and the search index both answer, within READY_TIMEOUT."""
        services: Services = app.state.services
        checks = {"store": lambda: services.records.store.exists("readyz"), "index": services.index.count}

        async def answer(check) -> str:
            try:
                await asyncio.wait_for(asyncio.to_thread(check), READY_TIMEOUT)
                return "ok"
            except Exception as e:  # noqa: BLE001 - any failure means not ready, and says why
                return f"{type(e).__name__}: {e}"[:300] if str(e) else type(e).__name__

        found = dict(zip(checks, await asyncio.gather(*map(answer, checks.values()))))
        ok = all(v == "ok" for v in found.values())
        return JSONResponse({"status": "ready" if ok else "not ready", **found}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], response_class=Response, responses={403: {}})
    async def prometheus(request: Request) -> Response:
        """Prometheus text format; from loopback, or with HOSO_METRICS__TOKEN as bearer token."""
        if not may_read(settings.metrics, request.client.host if request.client else None,
                        request.headers.get("authorization")):
            return errors.error(403, "forbidden", "metrics are served to loopback clients, or with the metrics token")
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    app.include_router(web.router)  # the reception and archive pages

    return app
