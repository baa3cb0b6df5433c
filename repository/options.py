"""Object store settings beyond the URL; built by the settings object and passed to workers."""

from typing import Literal

from pydantic import BaseModel


class StoreOptions(BaseModel):
    access_key: str | None = None
    secret_key: str | None = None
    secure: bool = False  # https; off for a MinIO on loopback or a private network
    region: str | None = None
    object_lock: bool = True  # a bucket HoSo makes has object lock, for per-document retention
    retention_days: int = 0  # > 0: also a default retention rule locking every object written
    retention_mode: Literal["governance", "compliance"] = "governance"
    server_side_encryption: bool = False  # SSE-S3 (MinIO needs a KMS key configured)
    part_size: int = 16 * 2**20  # multipart above this size
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 3
