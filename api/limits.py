"""Per-caller rate limits: a token bucket per caller (API key id, or ``oidc:<sub>``) and kind of
request, so a leaked or runaway key can neither flood reception nor harvest citizen data, and
one caller's excess never slows another.

The buckets live in the server process: with N processes behind a balancer each limits on its
own, so a caller gets up to N times the rate (see the README).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field

_PRUNE_ABOVE = 10_000  # callers remembered before full (idle) buckets are forgotten


class LimitOptions(BaseModel):
    """``HOSO_LIMITS__…``: requests per minute and burst per caller; 0 per minute is unlimited."""

    # A desk sends a dossier every minute or two per counter; 30 leaves room for several
    # counters on one key and a batch sent again after a network cut.
    uploads_per_minute: float = Field(default=30, ge=0)
    upload_burst: int = Field(default=20, ge=1)
    # An e-form portal reads a citizen's data once or twice per form it fills.
    citizen_reads_per_minute: float = Field(default=120, ge=0)
    citizen_read_burst: int = Field(default=60, ge=1)
    # Refused credentials per client address: a person mistyping a key retries a few times; a
    # script trying keys (and filling the audit log with refusals) is answered 429 unaudited.
    refusals_per_minute: float = Field(default=30, ge=0)
    refusal_burst: int = Field(default=20, ge=1)


class RateLimited(Exception):
    """The caller has used up its allowance of this kind of request for now. ``first``: the
    first refusal since the caller was last let through (the one worth an audit entry)."""

    code = "rate_limited"

    def __init__(self, kind: str, retry_after: int, first: bool) -> None:
        super().__init__(f"too many {kind} from this caller; retry after {retry_after} s")
        self.kind, self.retry_after, self.first = kind, retry_after, first


@dataclass
class _Bucket:
    tokens: float
    at: float
    refusing: bool = False


class TokenBuckets:
    """One kind of request: up to ``burst`` at once per caller, refilled at ``per_minute``
    (0: unlimited). Thread-safe: dependencies run in the server's thread pool."""

    def __init__(self, kind: str, per_minute: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.kind, self.rate, self.burst, self.clock = kind, per_minute / 60, burst, clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Let one request of ``caller`` through, or raise RateLimited."""
        if not self.rate:
            return
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(caller) or self._remember(caller, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                bucket.refusing = False
                return
            first, bucket.refusing = not bucket.refusing, True
            raise RateLimited(self.kind, math.ceil((1 - bucket.tokens) / self.rate), first)

    def _remember(self, caller: str, now: float) -> _Bucket:
        if len(self._buckets) >= _PRUNE_ABOVE:  # a full bucket is the same as none
            full = self.burst / self.rate
            self._buckets = {c: b for c, b in self._buckets.items() if now - b.at < full}
        bucket = self._buckets[caller] = _Bucket(tokens=self.burst, at=now)
        return bucket


@dataclass
class Limits:
    """The limits HoSo applies, one set of buckets per kind of request."""

    uploads: TokenBuckets
    citizen_reads: TokenBuckets
    refusals: TokenBuckets  # per client address, not per caller: a refused caller is nobody

    @classmethod
    def of(cls, options: LimitOptions) -> "Limits":
        return cls(TokenBuckets("uploads", options.uploads_per_minute, options.upload_burst),
                   TokenBuckets("citizen data reads", options.citizen_reads_per_minute,
                                options.citizen_read_burst),
                   TokenBuckets("refused credentials", options.refusals_per_minute, options.refusal_burst))
