"""The broker adapter: Celery over Redis. Nothing else in HoSo knows Celery or Redis.

One task, `hoso.process_dossier(code)`. It is acknowledged late (after the dossier's results
and manifest are stored), given back at once when its worker process dies
(`reject_on_worker_lost`), and given to another worker `visibility_timeout` seconds after it was
delivered when the whole worker (or its machine) is gone. Priorities are Redis lists polled in
order (kombu's `queue_order_strategy=priority`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
from celery import Celery
from celery.signals import worker_process_init
from kombu.exceptions import OperationalError

from .errors import QueueUnavailable
from .queue import DossierRunner, Priority, QueueOptions

log = logging.getLogger(__name__)

QUEUE = "hoso"
TASK = "hoso.process_dossier"
SEP = ":"
UNACKED = "unacked"  # kombu's hash of deliveries not yet acknowledged
STEPS = [int(p) for p in Priority]


def _app(url: str, options: QueueOptions) -> Celery:
    app = Celery("hoso", broker=url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE, task_serializer="json", accept_content=["json"], task_ignore_result=True,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False, worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        broker_transport_options={
            "visibility_timeout": options.visibility_timeout, "unacked_restore_interval": options.restore_interval,
            "unacked_restore_throttle": 1, "priority_steps": STEPS, "sep": SEP, "queue_order_strategy": "priority",
            "socket_timeout": 30, "socket_connect_timeout": options.connect_timeout,
            "unacked_mutex_expire": 10,  # a broker killed while a worker held the mutex must not stall restores
            # A publish while the broker is down fails at once: the dossier is in the store already.
            "max_retries": 0,
        },
    )
    return app


class CeleryQueue:
    def __init__(self, url: str, options: QueueOptions) -> None:
        self.app = _app(url, options)
        self.redis = redis.Redis.from_url(url, socket_timeout=options.connect_timeout,
                                          socket_connect_timeout=options.connect_timeout)

    def enqueue(self, code: str, priority: Priority) -> None:
        try:
            self.app.send_task(TASK, args=[code], priority=int(priority), retry=False)
        except (OperationalError, redis.RedisError, OSError) as e:
            raise QueueUnavailable(f"the broker did not take dossier {code}: {e}") from e

    def depth(self) -> dict[str, int]:
        try:
            waiting = {p.name.lower(): self.redis.llen(_key(p)) for p in Priority}
            return {**waiting, "delivered": self.redis.hlen(UNACKED)}
        except redis.RedisError as e:
            raise QueueUnavailable(f"the broker does not answer: {e}") from e

    def close(self) -> None:
        self.redis.close()
        self.app.close()


def _key(priority: Priority) -> str:
    return QUEUE if priority == 0 else f"{QUEUE}{SEP}{int(priority)}"


# -- the worker side -------------------------------------------------------------------------
_make_runner: Callable[[], DossierRunner] | None = None
_runner: DossierRunner | None = None


@worker_process_init.connect
def _made(**_) -> None:
    """Each worker process makes its own clients after the fork (the pool's processes)."""
    global _runner
    if _make_runner is not None:
        _runner = _make_runner()


def run_workers(url: str, options: QueueOptions, concurrency: int, runner: Callable[[], DossierRunner]) -> None:
    global _make_runner
    _make_runner = runner
    app = _app(url, options)

    @app.task(name=TASK, bind=True, max_retries=None)
    def process_dossier(task, code: str) -> None:
        if _runner is None:
            raise RuntimeError("worker process was not initialised")
        try:
            finished = _runner(code)
        except Exception:  # noqa: BLE001 - the store or the index down: a failed task would be dropped
            log.exception("dossier %s could not be read now; tried again in %g s", code, options.retry_seconds)
            finished = False
        if not finished:
            raise task.retry(countdown=options.retry_seconds)

    name = f"hoso-{os.getpid()}@{socket.gethostname()}"
    log.info("HoSo worker %s on %s", name, _redacted(url))
    app.worker_main(["worker", "--concurrency", str(concurrency), "--pool", "prefork", "-O", "fair",
                     "--without-gossip", "--without-mingle", "--loglevel", "INFO", "--hostname", name,
                     "--queues", QUEUE])


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return url if not parts.password else url.replace(parts.password, "***")
