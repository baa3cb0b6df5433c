"""The composition root: every client HoSo needs, built from the settings, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ingest.pipeline import Pipeline
from ingest.reception import Reception
from ingest.worker import WorkerConfig
from repository.audit import AuditLog
from repository.records import Records
from repository.signing import ArchivalSigner, load_signer
from repository.store import open_store
from search import Index, open_index

from .keys import ApiKeys
from .limits import Limits
from .oidc import OidcVerifier
from .reuse import Reuse
from .settings import Settings


@dataclass
class Services:
    settings: Settings
    records: Records
    index: Index

    @classmethod
    def open(cls, settings: Settings) -> "Services":
        settings.data_path.mkdir(parents=True, exist_ok=True)
        return cls(settings, Records(open_store(settings.store_url, settings.s3)), open_index(settings.index_url))

    @cached_property
    def keys(self) -> ApiKeys:
        return ApiKeys(self.settings.api_keys_path)

    @cached_property
    def reception(self) -> Reception:
        s = self.settings
        return Reception(self.records, s.ocr, s.max_file_bytes, s.staging_dir)

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
        return AuditLog(self.records.store, self.signer, self.settings.audit_seal_seconds)

    @cached_property
    def reuse(self) -> Reuse:
        return Reuse(self.index, self.records, self.trust_roots)

    def pipeline(self, listener=None) -> Pipeline:
        s = self.settings
        config = WorkerConfig(store_url=s.store_url, store=s.s3, work_dir=s.work_dir, keys_dir=s.keys_dir, ocr=s.ocr,
                              signing=s.signing, signing_location=s.signing_location, pdfa=s.pdfa)
        return Pipeline(self.records, self.index, config, s.workers, listener, s.retention)

    def close(self) -> None:
        if "audit" in self.__dict__:  # seal the end of this process's audit chain
            self.audit.close()
        self.index.close()
