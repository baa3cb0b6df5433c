"""Scale-out mode's two halves: a server that queues what it receives, a worker that reads it.

`DispatchingPipeline` is a server's pipeline when a broker is configured: receiving, reviewing,
reprocessing work as before, but a dossier to read goes on the broker's queue instead of the
server's own pool. `DossierWorker` runs in each `hoso worker` process: it reads one dossier at a
time with the same pipeline steps, on its own threads, under a claim renewed while it reads, so
a duplicate delivery (at-least-once) finds the dossier held, or finished, and does nothing twice.
"""

from __future__ import annotations

import asyncio
import logging

from repository.records import DossierNotFound

from .errors import QueueUnavailable
from .pipeline import Pipeline
from .queue import Priority, WorkQueue

log = logging.getLogger(__name__)


class DispatchingPipeline(Pipeline):
    def __init__(self, *args, queue: WorkQueue, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.queue = queue
        self._unsent: dict[str, Priority] = {}  # received while the broker was down

    def start(self) -> None:
        """No pool here: the workers are other processes."""

    async def close(self) -> None:
        await super().close()
        self.queue.close()

    def submit(self, dossier, batch: bool = False) -> asyncio.Task:
        """Queue the dossier (at once; the request does not wait for the broker)."""
        task = asyncio.create_task(self._send(dossier.dossier_code, Priority.BATCH if batch else Priority.DESK))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send(self, code: str, priority: Priority) -> bool:
        try:
            await asyncio.to_thread(self.queue.enqueue, code, priority)
        except QueueUnavailable as e:  # stored and pending: queued as soon as the broker is back
            log.warning("dossier %s waits for the broker: %s", code, e)
            self._unsent[code] = min(priority, self._unsent.get(code, priority))
            return False
        self._unsent.pop(code, None)
        return True

    async def watch(self, interval: float) -> None:
        """On start, queue again every dossier the store says is unfinished (the broker may have
        lost them while no server ran); then every `interval` seconds send what the broker
        refused, index what waited for the index, and when the broker holds nothing at all
        (nothing waiting, nothing delivered) while the store still lists pending dossiers, the
        broker lost its queue: queue them again."""
        first = True
        while True:
            try:
                for code, priority in list(self._unsent.items()):
                    if not await self._send(code, priority):
                        break
                depth = await asyncio.to_thread(self.queue.depth)
                if first or not any(depth.values()):
                    resumed = await self.resume()
                    if resumed and not first:
                        log.warning("the broker held no work: %d pending dossiers queued again", resumed)
                    first = False
                await self.index_waiting()
            except QueueUnavailable as e:
                log.warning("the broker does not answer: %s", e)
            except Exception:  # noqa: BLE001 - a store hiccup must not end the watch
                log.exception("scanning for pending dossiers failed")
            await asyncio.sleep(interval)


class DossierWorker:
    """What one broker worker process runs for each delivery of a dossier (see ingest.queue)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.loop = asyncio.new_event_loop()  # one loop for the life of the process: the pipeline's locks live in it
        pipeline.start()

    def __call__(self, code: str) -> bool:
        try:
            dossier = self.pipeline.records.load(code)
        except DossierNotFound:  # removed since it was queued (a reception that did not finish)
            return True
        finished = False
        try:
            final = self.loop.run_until_complete(self.pipeline.process(dossier))  # claimed, and renewed while read
            finished = all(d.finished for d in final.documents)
        finally:
            if not finished:
                # Held by another live worker, or the store was down: tried again later, maybe
                # by another process, which must not wait for this claim's lease to run out.
                self._hand_back(code)
        return finished

    def _hand_back(self, code: str) -> None:
        try:
            self.pipeline.records.renew(code, self.pipeline.owner, 0)  # expired now, if it is ours
        except Exception:  # noqa: BLE001 - the store is down: the claim runs out after its lease
            log.warning("claim on %s not handed back; it runs out after its lease", code)
