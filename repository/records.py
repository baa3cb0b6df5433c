"""Dossiers in the object store: the key layout, manifests, and fixity on every read."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Callable, Iterator

from .errors import ObjectNotFound, RepositoryError, RetentionLocked
from .events import SETTLE, Feed, Outbox
from .model import Document, Dossier, DossierState, ObjectRef
from .retention import lock_until
from .store import ObjectStore, copy_verified, get_verified

log = logging.getLogger(__name__)
PENDING = "pending/"  # one marker per dossier with unfinished documents: the work queue
UNINDEXED = "unindexed/"  # one marker per done document the search index could not take yet


def dossier_prefix(code: str) -> str:
    return f"dossiers/{code}/"


def manifest_key(code: str) -> str:
    return f"dossiers/{code}/manifest.json"


def document_key(code: str, document_id: str, name: str) -> str:
    return f"dossiers/{code}/documents/{document_id}/{name}"


class DossierNotFound(ObjectNotFound):
    code = "dossier_not_found"


class Records:
    """What the rest of HoSo knows about the store: dossiers, documents and their objects."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.feed = Feed(store)
        self.outbox = Outbox(store, self.feed)

    # -- manifests ---------------------------------------------------------------------
    def load(self, code: str) -> Dossier:
        return Dossier.model_validate_json(self._manifest(code))

    def progress(self, code: str) -> DossierState:
        """How far the dossier's documents are, read from its manifest without the rest."""
        return DossierState.model_validate_json(self._manifest(code))

    def _manifest(self, code: str) -> bytes:
        try:
            return self.store.get(manifest_key(code))
        except ObjectNotFound as e:
            raise DossierNotFound(f"no dossier {code}") from e

    def save(self, dossier: Dossier) -> None:
        """Write the manifest; the events recorded on it since it was loaded go through the
        outbox (repository/events.py): staged before, published after."""
        code, new = dossier.dossier_code, dossier.unsaved_events
        if new:
            self.outbox.stage(code, new)
        self.store.put(manifest_key(code), _dump(dossier))
        dossier.unsaved_events = []
        if new:
            try:
                self.outbox.flush(code, lambda: dossier.events)
            except RepositoryError as e:  # saved all the same: the watch publishes them later
                log.warning("dossier %s: events saved but not published yet: %s", code, e)

    def publish_waiting(self) -> int:
        """Publish the events a crash or a store hiccup left in the outbox; returns how many."""
        published = 0
        for code in self.outbox.waiting():
            def saved() -> list[str]:
                try:
                    return self.load(code).events
                except DossierNotFound:
                    return []
            published += self.outbox.flush(code, saved, settle=SETTLE)
        return published

    def exists(self, code: str) -> bool:
        return self.store.exists(manifest_key(code))

    def codes(self) -> Iterator[str]:
        for key in self.store.list("dossiers/"):
            if key.endswith("/manifest.json"):
                yield key.split("/")[1]

    def dossiers(self) -> Iterator[Dossier]:
        for code in self.codes():
            yield self.load(code)

    # -- the work queue ------------------------------------------------------------------
    def claim(self, code: str, owner: str, lease: float, alive: Callable[[str], bool]) -> bool:
        """Take a dossier's work for `owner`, so no two processes read it at once.

        Claims are numbered objects under `claims/{code}/`, each made with an atomic create:
        taking over an expired claim (or one whose owner is known dead) means creating the
        next number, which only one process can do.
        """
        prefix = f"claims/{code}/"
        keys = sorted(self.store.list(prefix))
        attempt, now = 0, time.time()
        if keys:
            attempt = int(keys[-1].rsplit("/", 1)[1])
            try:
                holder = json.loads(self.store.get(keys[-1]))
            except ObjectNotFound:  # released meanwhile
                holder = None
            if holder is not None:
                if holder["owner"] == owner:
                    return True
                if holder["expires"] > now and alive(holder["owner"]):
                    return False
        record = json.dumps({"owner": owner, "claimed_at": now, "expires": now + lease}).encode()
        return self.store.create(f"{prefix}{attempt + 1:06d}", record)

    def renew(self, code: str, owner: str, lease: float) -> bool:
        """Extend `owner`'s claim on a dossier by `lease` seconds from now; False when the
        claim is not (or no longer) its own."""
        keys = sorted(self.store.list(f"claims/{code}/"))
        try:
            holder = json.loads(self.store.get(keys[-1])) if keys else None
        except ObjectNotFound:
            holder = None
        if holder is None or holder["owner"] != owner:
            return False
        now = time.time()
        self.store.put(keys[-1], json.dumps({**holder, "renewed_at": now, "expires": now + lease}).encode())
        return True

    def release(self, code: str) -> None:
        for key in list(self.store.list(f"claims/{code}/")):
            self.store.delete(key)

    def mark_pending(self, code: str, owner: str) -> None:
        """Queue a dossier; ``owner`` is the process writing it (``host:pid:…``), so a reception
        still under way is not taken for one that died."""
        self.store.put(PENDING + code, json.dumps({"owner": owner, "at": time.time()}).encode())

    def pending_marker(self, code: str) -> dict:
        """Who queued the dossier and when (empty for markers of older versions)."""
        try:
            return json.loads(self.store.get(PENDING + code) or b"{}")
        except (ObjectNotFound, ValueError):
            return {}

    def clear_pending(self, code: str) -> None:
        self.store.delete(PENDING + code)

    def pending(self) -> list[str]:
        return [key.removeprefix(PENDING) for key in self.store.list(PENDING)]

    def mark_unindexed(self, code: str, document_id: str) -> None:
        self.store.put(f"{UNINDEXED}{code}/{document_id}", b"")

    def clear_unindexed(self, code: str, document_id: str) -> None:
        self.store.delete(f"{UNINDEXED}{code}/{document_id}")

    def unindexed(self) -> list[tuple[str, str]]:
        """(dossier code, document id) of done documents still to be indexed."""
        return [tuple(key.removeprefix(UNINDEXED).split("/", 1)) for key in self.store.list(UNINDEXED)]

    # -- document objects ----------------------------------------------------------------
    def put_document_object(self, code: str, document_id: str, name: str, data: bytes) -> ObjectRef:
        stored = self.store.put(document_key(code, document_id, name), data)
        return ObjectRef(key=stored.key, sha256=stored.sha256, size=stored.size)

    def put_document_file(self, code: str, document_id: str, name: str, path: Path) -> ObjectRef:
        stored = self.store.put_file(document_key(code, document_id, name), path)
        return ObjectRef(key=stored.key, sha256=stored.sha256, size=stored.size)

    def read(self, ref: ObjectRef) -> bytes:
        return get_verified(self.store, ref.key, ref.sha256)

    def fetch(self, ref: ObjectRef, target: Path) -> None:
        copy_verified(self.store, ref.key, ref.sha256, target)

    def ocr_json(self, document: Document) -> dict:
        if document.ocr is None:
            raise RepositoryError(f"document {document.id} has no OCR result yet")
        return json.loads(self.read(document.ocr))

    # -- retention -----------------------------------------------------------------------
    def retain_document(self, document: Document) -> None:
        """Lock every object of the document in the store until its retention ends."""
        if document.retention is None:
            raise RepositoryError(f"document {document.id} has no retention to lock")
        for ref in document.objects:
            self.store.retain(ref.key, lock_until(document.retention), document.retention.mode)

    def hold_document(self, document: Document, on: bool) -> None:
        for ref in document.objects:
            self.store.hold(ref.key, on)

    def purge_document(self, document: Document) -> int:
        """Destroy every version of the document's objects; the store refuses while any is
        locked, before a first one goes."""
        for ref in document.objects:
            if reason := self.store.locked(ref.key):
                raise RetentionLocked(f"the object store keeps {ref.key}: {reason}")
        return sum(self.store.purge(ref.key) for ref in document.objects)

    def purge_manifest_history(self, code: str) -> int:
        """Destroy the earlier versions of a manifest (a versioned store keeps them), which
        still hold the fields and text of a document just disposed of."""
        return self.store.purge(manifest_key(code), keep_current=True)

    def delete_dossier(self, code: str) -> None:
        """Remove every object of a dossier that was never acknowledged to the client."""
        for key in list(self.store.list(dossier_prefix(code))):
            self.store.delete(key)
        self.clear_pending(code)


def _dump(dossier: Dossier) -> bytes:
    return dossier.model_dump_json(indent=2).encode()
