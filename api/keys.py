"""API keys: random tokens, kept only as SHA-256 hashes; the admin key is made on first run."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ingest.codes import is_agency_code

PREFIX = "hoso_"
# admin: everything; reception: receive, read and correct the dossiers of its own agency (and
# search them); archivist: search and read every dossier, no citizen data; eform: citizen data
# and auto-fill only, with a purpose.
ROLES = ("admin", "reception", "archivist", "eform")


class ApiKeys:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> list[dict]:
        try:
            entries = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        for entry in entries:
            entry.setdefault("role", "admin")  # keys made before roles existed were all-powerful
            entry.setdefault("agency", None)
        return entries

    def _save(self, entries: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent)
        with os.fdopen(fd, "w") as f:
            json.dump(entries, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, self.path)

    def list(self) -> list[dict]:
        """The keys without their hashes."""
        return [{k: v for k, v in e.items() if k != "sha256"} for e in self._load()]

    def revoke(self, key_id: str) -> bool:
        entries = self._load()
        kept = [e for e in entries if e["id"] != key_id]
        if len(kept) == len(entries):
            return False
        self._save(kept)
        return True

    def ensure_admin(self) -> str | None:
        """Create the admin key if there is no key at all; returns it, once, when created."""
        if self._load():
            return None
        return self.create(role="admin", name="admin (first run)")

    def create(self, role: str, name: str, agency: str | None = None) -> str:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if role == "reception" and not agency:
            raise ValueError("a reception key belongs to an agency: give its 13-character code")
        if role != "reception" and agency is not None:  # it would read as a limit that does not hold
            raise ValueError(f"an {role} key reaches every agency's dossiers its role allows: "
                             "--agency is for reception keys only")
        if agency is not None and not is_agency_code(agency):
            raise ValueError(f"agency {agency!r} is not a 13-character agency code such as 000.17.22.H56")
        token = PREFIX + secrets.token_urlsafe(32)
        self._save(self._load() + [{
            "id": secrets.token_hex(6), "name": name, "role": role, "agency": agency,
            "sha256": _hash(token), "created_at": datetime.now(timezone.utc).isoformat(),
        }])
        return token

    def verify(self, token: str) -> dict | None:
        digest = _hash(token)
        for entry in self._load():
            if hmac.compare_digest(entry["sha256"], digest):
                return entry
        return None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
