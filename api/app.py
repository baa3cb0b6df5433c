"""The FastAPI application, built by a factory; clients are made in the lifespan, not at import."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from ingest.indexing import rebuild

from . import errors
from .deps import require_key
from .routes import audit, citizens, dossiers, search
from .services import Services
from .settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services = Services.open(settings)
        if getattr(services.index, "schema_reset", False):  # an older index file was dropped
            log.warning("the search index format changed; rebuilding it from the store before serving")
            count = await asyncio.to_thread(rebuild, services.records, services.index)
            log.warning("search index rebuilt: %d documents", count)
        services.trust_roots  # noqa: B018 - make the signing identity before workers race to
        pipeline = services.pipeline()
        pipeline.start()
        app.state.services, app.state.pipeline = services, pipeline
        watcher = asyncio.create_task(pipeline.watch(settings.rescan_seconds))  # resumes at once
        try:
            yield
        finally:
            watcher.cancel()
            await pipeline.close()
            services.close()

    app = FastAPI(title="HoSo", version="0.1.0", lifespan=lifespan,
                  description="Digitised dossiers as signed, searchable electronic records.")
    errors.install(app)

    @app.middleware("http")
    async def limit_request_size(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_request_bytes:
            return errors.error(413, "request_too_large",
                                f"the request is larger than {settings.max_request_bytes} bytes")
        return await call_next(request)

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])
    v1.include_router(dossiers.router)
    v1.include_router(search.router)
    v1.include_router(citizens.router)
    v1.include_router(audit.router)
    app.include_router(v1)

    @app.get("/healthz", tags=["operations"])
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> str:
        return ("<!doctype html><html lang=vi><meta charset=utf-8><title>HoSo</title>"
                "<h1>HoSo</h1><p>Kho hồ sơ điện tử. API: <a href=/docs>/docs</a></p></html>")

    return app
