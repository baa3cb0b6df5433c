"""What an operator watches: Prometheus metrics of one HoSo process (`GET /metrics`).

Each app has its own registry (two apps in one test process do not share counters). Requests
are counted by route template, never by raw path, so dossier codes do not become series; the
object store, the index and the audit log are watched through `observed`, a proxy that times
every call the server process makes to them (worker processes keep their own clients).
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from repository.model import Document, Dossier

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_OCR = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 60.0)


class MetricsOptions(BaseModel):
    """``HOSO_METRICS__…``: who may read `/metrics`. Without a token only the server's own host
    (loopback) may; with one, any client that sends it as a bearer token (Prometheus'
    ``authorization`` setting)."""

    token: str | None = None


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.requests = Counter("hoso_http_requests", "HTTP requests answered, by route template and status",
                                ["method", "route", "status"], registry=r)
        self.request_seconds = Histogram("hoso_http_request_duration_seconds", "time to answer, by route template",
                                         ["method", "route"], buckets=_FAST, registry=r)
        self.documents = Counter("hoso_documents_processed", "documents finished by the workers, done or failed",
                                 ["status", "doc_type"], registry=r)
        self.pages = Counter("hoso_pages_processed", "pages of documents finished done", registry=r)
        self.ocr_seconds = Histogram("hoso_ocr_page_seconds", "seconds a worker took to read one page",
                                     buckets=_OCR, registry=r)
        self.failures = Counter("hoso_document_failures", "documents that failed, by the kind of error",
                                ["reason"], registry=r)
        self.waiting = Gauge("hoso_documents_waiting", "documents received, waiting for a worker slot", registry=r)
        self.in_progress = Gauge("hoso_documents_in_progress", "documents being read now", registry=r)
        self.calls = Histogram("hoso_backend_call_duration_seconds", "calls to the object store, index and audit log",
                               ["backend", "operation"], buckets=_FAST, registry=r)
        self.call_errors = Counter("hoso_backend_call_errors", "calls that raised, by backend and operation",
                                   ["backend", "operation"], registry=r)
        self.audit_entries = Counter("hoso_audit_entries_written", "audit log entries written, by action",
                                     ["action"], registry=r)
        self.rate_limited = Counter("hoso_rate_limit_refusals", "requests refused 429, by limit", ["limit"],
                                    registry=r)

    def watch_queue(self, waiting: Callable[[], int], in_progress: Callable[[], int]) -> None:
        self.waiting.set_function(waiting)
        self.in_progress.set_function(in_progress)

    def watch_broker(self, depth: Callable[[], dict[str, int]]) -> None:
        """Scale-out mode: the broker's queue, asked once per scrape (nothing when it is down)."""
        self.registry.register(_BrokerDepth(depth))

    # -- what the pipeline reports (ingest.pipeline.Monitor) ----------------------------------
    def page_read(self, seconds: float) -> None:
        self.ocr_seconds.observe(seconds)

    def document_finished(self, dossier: Dossier, document: Document, timings: dict[str, float],
                          error: Exception | None) -> None:
        self.documents.labels(document.status.value, document.doc_type or "unread").inc()
        if error is not None:
            self.failures.labels(type(error).__name__).inc()
        else:
            self.pages.inc(len(document.pages))

    def request_answered(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        self.requests.labels(scope["method"], route, str(status)).inc()
        self.request_seconds.labels(scope["method"], route).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _BrokerDepth(Collector):
    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self.depth = depth

    def collect(self):
        family = GaugeMetricFamily("hoso_queue_dossiers", "dossiers on the broker: waiting per priority "
                                   "(desk, batch), and delivered to a worker, not yet acknowledged", labels=["state"])
        try:
            depth = self.depth()
        except Exception:  # noqa: BLE001 - a broker that does not answer has no figure, not a failed scrape
            return
        for state, count in depth.items():
            family.add_metric([state], count)
        yield family


def observed(target: Any, metrics: Metrics, backend: str, counted: str | None = None) -> Any:
    """``target`` with each method call timed as ``backend``/method (and its errors counted);
    ``counted``: a method whose first argument also counts as an audit action."""
    return _Observed(target, metrics, backend, counted)


class _Observed:
    def __init__(self, target: Any, metrics: Metrics, backend: str, counted: str | None) -> None:
        self.__dict__.update(_target=target, _metrics=metrics, _backend=backend, _counted=counted)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value) or name.startswith("_"):
            return value
        metrics, backend = self._metrics, self._backend
        seconds, errors = metrics.calls.labels(backend, name), metrics.call_errors.labels(backend, name)
        counted = name == self._counted

        def call(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = value(*args, **kwargs)
            except Exception:
                errors.inc()
                raise
            finally:
                seconds.observe(time.perf_counter() - started)
            if counted:  # AuditLog.record(actor, action, target, ...)
                metrics.audit_entries.labels(str(args[1] if len(args) > 1 else kwargs.get("action"))).inc()
            return result

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)


class RequestWatch:
    """Tell each watcher of every HTTP request answered: its scope (with the route it matched),
    its status and the seconds it took."""

    def __init__(self, app: ASGIApp, watchers: tuple[Callable[[Scope, int, float], None], ...]) -> None:
        self.app, self.watchers = app, watchers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            seconds = time.perf_counter() - started
            for watcher in self.watchers:
                watcher(scope, status, seconds)


def route_template(scope: Scope) -> str:
    """The path template of the route a request matched: FastAPI's full path of a route of an
    included router (its own `route.path` lacks the prefix), else Starlette's route path."""
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    return (getattr(effective, "path_format", None) or getattr(scope.get("route"), "path", None)
            or "unmatched")


def may_read(options: MetricsOptions, client_host: str | None, authorization: str | None) -> bool:
    """Whether this client may read the metrics (see MetricsOptions)."""
    if options.token:
        scheme, _, token = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(token.strip(), options.token)
    try:
        return client_host is not None and ipaddress.ip_address(client_host).is_loopback
    except ValueError:
        return False
