"""The work queue of scale-out mode: dossiers dispatched to worker processes by a broker.

The embedded default needs none of this (the server's own process pool reads what it
receives). With a broker (``HOSO_BROKER=redis://…``) a server only enqueues, and `hoso worker`
processes on any machine take the dossiers off the queue. The object store stays the record of
truth: a dossier is unfinished while its `pending/` marker is there, whatever the broker holds,
so a lost queue is rebuilt from the store (`hoso resume`, and each server on start).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Protocol

from pydantic import BaseModel, Field


class Priority(IntEnum):
    """Lower goes first: a dossier a clerk is waiting on before a batch import or a resume."""

    DESK = 0
    BATCH = 9


class QueueOptions(BaseModel):
    """``HOSO_QUEUE__…``: how the broker's deliveries behave."""

    # A delivery not acknowledged within this many seconds (its worker was killed, its machine
    # lost) is given to another worker; a dossier is acknowledged once its results are stored.
    visibility_timeout: float = Field(default=30.0, ge=5)
    # How often the workers look for deliveries whose timeout has passed.
    restore_interval: float = Field(default=5.0, gt=0)
    # The claim on a dossier that a worker renews while it reads it (a third of this apart); a
    # worker that stops renewing (killed on another machine) loses it after this long.
    lease: float = Field(default=45.0, ge=5)
    # Seconds before a dossier another live worker holds is asked for again.
    retry_seconds: float = Field(default=5.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)  # each connection to the broker


class WorkQueue(Protocol):
    """Where a server puts the dossiers it received, for the workers."""

    def enqueue(self, code: str, priority: Priority) -> None:
        """Queue a dossier; raises QueueUnavailable if the broker does not take it."""

    def depth(self) -> dict[str, int]:
        """Dossiers on the broker: waiting per priority (``desk``, ``batch``), and ``delivered``
        to a worker and not yet acknowledged (being read, or waiting for a retry)."""

    def close(self) -> None: ...


# What a worker process runs for one dossier: True when every document of it is finished,
# False when it must be tried again later (another live worker holds it, the store is down).
DossierRunner = Callable[[str], bool]


def open_queue(url: str, options: QueueOptions) -> WorkQueue:
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError(f"HOSO_BROKER must be a redis:// URL, not {url!r}")
    from ._celery import CeleryQueue

    return CeleryQueue(url, options)


def run_workers(url: str, options: QueueOptions, concurrency: int, runner: Callable[[], DossierRunner]) -> None:
    """Serve the queue until stopped: ``concurrency`` processes, each making its runner once
    (its clients are made after the process starts) and running one dossier at a time."""
    from ._celery import run_workers as run

    run(url, options, concurrency, runner)
