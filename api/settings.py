"""The one settings object: environment (`HOSO_…`, nested with `__`) over `hoso.toml`."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from ingest.idempotency import IdempotencyOptions
from ingest.queue import QueueOptions
from ocr import OcrOptions
from repository.archival import Flavour
from repository.audit import SEAL_WITHIN
from repository.options import StoreOptions
from repository.retention import RetentionOptions
from repository.signing import SigningOptions

from .limits import LimitOptions
from .webhooks import EventOptions
from .metrics import MetricsOptions
from .oidc import OidcOptions


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOSO_", env_nested_delimiter="__", toml_file="hoso.toml",
                                      extra="ignore")

    data_dir: Path = Path("var")
    store: str | None = None  # object store URL: file:///dir or s3://host:port/bucket
    index: str | None = None  # search index URL: sqlite:///file or http://host:9200?prefix=hoso
    broker: str | None = None  # scale-out work queue: redis://host:6379/0; unset, the server's own pool
    host: str = "127.0.0.1"
    port: int = 8000
    # Addresses of the reverse proxies whose X-Forwarded-For / -Proto is believed (the client
    # address the audit log and the refusal limit see); from any other caller they are ignored.
    trusted_proxies: list[str] = []
    public_url: str | None = None  # how citizens reach HoSo (the receipt's QR link); never the Host header
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_file_bytes: int = Field(default=100 * 2**20, ge=1)
    max_request_bytes: int = Field(default=500 * 2**20, ge=1)
    signing_location: str = "HoSo"
    pdfa: Flavour = "2b"  # archival copies: PDF/A-2b, or 1b (TCVN 14159-1 is PDF/A-1)
    signing_keys_dir: Path | None = None  # default {data_dir}/keys; shared by processes of one deployment
    rescan_seconds: float = Field(default=30.0, gt=0)  # how often pending dossiers are looked for
    audit_seal_seconds: float = Field(default=SEAL_WITHIN, gt=0)  # the longest an audit entry waits for its seal
    ocr: OcrOptions = OcrOptions()
    queue: QueueOptions = QueueOptions()  # the broker's deliveries (with HOSO_BROKER)
    s3: StoreOptions = StoreOptions()
    retention: RetentionOptions = RetentionOptions()  # periods per document type, object-lock mode
    signing: SigningOptions = SigningOptions()
    oidc: OidcOptions = OidcOptions()
    limits: LimitOptions = LimitOptions()  # requests per minute per caller
    metrics: MetricsOptions = MetricsOptions()  # who may read GET /metrics
    log_json: bool = False  # a JSON line on stderr per request and per document processed
    idempotency: IdempotencyOptions = IdempotencyOptions()  # how long an Idempotency-Key answers
    events: EventOptions = EventOptions()  # webhook subscribers and their delivery

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings, env_settings,
                                   dotenv_settings, file_secret_settings,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    @property
    def data_path(self) -> Path:
        return self.data_dir.resolve()

    @property
    def public_base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def store_url(self) -> str:
        return self.store or f"file://{self.data_path / 'store'}"

    @property
    def index_url(self) -> str:
        return self.index or f"sqlite:///{self.data_path / 'index.sqlite'}"

    @property
    def keys_dir(self) -> Path:
        return (self.signing_keys_dir or self.data_path / "keys").resolve()

    @property
    def api_keys_path(self) -> Path:
        return self.data_path / "api-keys.json"

    @property
    def work_dir(self) -> Path:
        return self.data_path / "work"

    @property
    def staging_dir(self) -> Path:
        return self.data_path / "staging"
