"""The composition root: every client HoSo needs, built from the settings, in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from ingest.dispatch import DispatchingPipeline, DossierWorker
from ingest.idempotency import IdempotencyKeys
from ingest.pipeline import RECEPTION_GRACE, Pipeline, _alive
from ingest.queue import DossierRunner, open_queue
from ingest.reception import Reception
from ingest.tallies import Place, activity
from ingest.worker import WorkerConfig
from repository.audit import AuditLog
from repository.model import Dossier
from repository.records import Records
from repository.signing import ArchivalSigner, load_signer
from repository.store import open_store
from search import Index, SearchError, open_index

from .keys import ApiKeys
from .limits import Limits
from .logs import DocumentLog
from .metrics import Metrics, observed
from .oidc import OidcVerifier
from .reuse import Reuse
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    records: Records
    index: Index
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def open(cls, settings: Settings, metrics: Metrics | None = None) -> "Services":
        """The clients, each call to the store, the index and the audit log timed in `metrics`."""
        settings.data_path.mkdir(parents=True, exist_ok=True)
        metrics = metrics or Metrics()
        store = observed(open_store(settings.store_url, settings.s3), metrics, "store")
        return cls(settings, Records(store), observed(open_index(settings.index_url), metrics, "index"), metrics)

    @cached_property
    def keys(self) -> ApiKeys:
        return ApiKeys(self.settings.api_keys_path)

    @cached_property
    def reception(self) -> Reception:
        s = self.settings
        return Reception(self.records, s.ocr, s.max_file_bytes, s.staging_dir)

    @cached_property
    def idempotency(self) -> IdempotencyKeys:
        return IdempotencyKeys(self.records.store, self.settings.idempotency, _alive, RECEPTION_GRACE)

    @cached_property
    def trust_roots(self) -> list:
        """Roots that archival signatures must chain to; the development root on the default."""
        return self.signer.trust_roots

    @cached_property
    def limits(self) -> Limits:
        return Limits.of(self.settings.limits)

    @cached_property
    def oidc(self) -> OidcVerifier | None:
        return OidcVerifier(self.settings.oidc) if self.settings.oidc.enabled else None

    @cached_property
    def signer(self) -> ArchivalSigner:
        """The signing identity, for trust roots and the audit seals (a token opens on first use)."""
        return load_signer(self.settings.signing, self.settings.keys_dir)

    @cached_property
    def audit(self) -> AuditLog:
        audit = AuditLog(self.records.store, self.signer, self.settings.audit_seal_seconds)
        return observed(audit, self.metrics, "audit", counted="record")

    def audited(self, actor: str, action: str, target: str, dossier: Dossier | None = None, **details) -> str:
        """Write an audit entry, then count it in the statistics when it counts (ingest/tallies.py;
        ``dossier``: the one the target names). One the index cannot take now is counted by the
        next `hoso reindex`, which reads the log itself."""
        entry = self.audit.record(actor, action, target, **details)  # its time, as `hoso reindex` reads it
        counted = activity(entry, {target: Place.of(dossier)} if dossier else {})
        if counted is not None:
            try:
                self.index.note([counted])
            except SearchError as e:
                log.warning("audit entry %s not counted in the statistics: %s", entry["id"], e)
        return entry["id"]

    @cached_property
    def reuse(self) -> Reuse:
        return Reuse(self.index, self.records, self.trust_roots)

    def pipeline(self, listener=None, **options) -> Pipeline:
        """The pipeline that reads in this process's own pool (the embedded default, `hoso ingest`);
        `watchers` are monitors besides the metrics (a progress bar)."""
        return self._pipeline(Pipeline, listener, **options)

    def server_pipeline(self) -> Pipeline:
        """A server's pipeline: its own pool, or with a broker (scale-out) the broker's queue."""
        s = self.settings
        if s.broker is None:
            return self.pipeline()
        return self._pipeline(DispatchingPipeline, queue=open_queue(s.broker, s.queue))

    def worker_runner(self) -> DossierRunner:
        """What a broker worker process runs per dossier; made in that process, after it started."""
        return DossierWorker(self.pipeline(lease=self.settings.queue.lease, inline=True))

    def _pipeline(self, kind: type[Pipeline], listener=None, watchers: tuple = (), **options) -> Pipeline:
        s = self.settings
        config = WorkerConfig(store_url=s.store_url, store=s.s3, work_dir=s.work_dir, keys_dir=s.keys_dir, ocr=s.ocr,
                              signing=s.signing, signing_location=s.signing_location, pdfa=s.pdfa)
        monitors = (self.metrics, *([DocumentLog()] if s.log_json else []), *watchers)
        return kind(self.records, self.index, config, s.workers, listener, s.retention, monitors=monitors, **options)

    def close(self) -> None:
        if "audit" in self.__dict__:  # seal the end of this process's audit chain
            self.audit.close()
        self.index.close()
