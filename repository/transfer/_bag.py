"""BagIt (RFC 8493), serialized as one tar with a single top-level folder, written as it goes.

Payload files go into the tar the moment they are read, hashed on the way; only the lines of
`manifest-sha256.txt` wait, in a spool file, so a bag of any size holds one file in memory at a
time. The tag files follow the payload at the end of the tar (a reader of the tar does not care
about the order, and the manifest can only be written once every file has been hashed).
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..errors import FixityError, PackageRefused
from ..store import sha256_file

ALGORITHM = "sha256"  # the SHA-256 HoSo records for every object: one hash serves both
VERSION = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_SAFE = re.compile(r"^[0-9A-Za-z._-]+$")  # every path segment HoSo writes into a bag


class _Hashing:
    """A file object that hashes what is read through it (tarfile reads exactly `size` bytes)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class BagWriter:
    """One bag named `name`, streamed into `out` (a file, or a queue feeding an HTTP answer)."""

    def __init__(self, out: BinaryIO, name: str, spool_dir: Path | None = None) -> None:
        self.name = name
        self._tar = tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)
        self._manifest = tempfile.TemporaryFile(dir=spool_dir)
        self.files = 0
        self.bytes = 0
        self._mtime = time.time()

    def add(self, path: str, stream: BinaryIO, size: int, sha256: str | None = None) -> str:
        """Add a payload file (`path` under `data/`) of `size` bytes read from `stream`; with
        `sha256`, the bytes must have it (a stored object's fixity): FixityError otherwise."""
        reader = _Hashing(stream)
        self._tar.addfile(self._info(f"data/{path}", size), reader)
        self._written()
        digest = reader.digest.hexdigest()
        if sha256 is not None and digest != sha256:
            raise FixityError(f"{path}: content no longer matches its recorded SHA-256")
        self._manifest.write(f"{digest}  data/{path}\n".encode())
        self.files += 1
        self.bytes += size
        return digest

    def add_bytes(self, path: str, data: bytes) -> str:
        return self.add(path, io.BytesIO(data), len(data))

    def close(self, info: dict[str, str]) -> None:
        """Write the tag files: the manifest, `bagit.txt`, `bag-info.txt` (with `info`, the
        Payload-Oxum and the bagging date), and the tag manifest over them."""
        tags: list[tuple[str, str]] = []
        size = self._manifest.tell()
        self._manifest.seek(0)
        tags.append((f"manifest-{ALGORITHM}.txt", self._tag(f"manifest-{ALGORITHM}.txt", self._manifest, size)))
        self._manifest.close()
        fields = {"Bagging-Date": date.today().isoformat(), "Payload-Oxum": f"{self.bytes}.{self.files}", **info}
        bag_info = "".join(f"{label}: {_one_line(value)}\n" for label, value in fields.items()).encode()
        for tag, data in (("bagit.txt", VERSION.encode()), ("bag-info.txt", bag_info)):
            tags.append((tag, self._tag(tag, io.BytesIO(data), len(data))))
        listing = "".join(f"{digest}  {tag}\n" for tag, digest in tags).encode()
        self._tag(f"tagmanifest-{ALGORITHM}.txt", io.BytesIO(listing), len(listing))
        self._tar.close()

    def abort(self) -> None:
        self._manifest.close()

    def _tag(self, tag: str, stream: BinaryIO, size: int) -> str:
        reader = _Hashing(stream)
        self._tar.addfile(self._info(tag, size), reader)
        self._written()
        return reader.digest.hexdigest()

    def _written(self) -> None:
        """Forget the member just written: tarfile keeps every header it wrote in `members`
        (for reading back), which would grow with the package."""
        self._tar.members.clear()

    def _info(self, path: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(f"{self.name}/{path}")
        info.size, info.mtime, info.mode = size, self._mtime, 0o644
        return info


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


# -- reading a bag back ---------------------------------------------------------------------

def unpack(package: Path, target: Path) -> Path:
    """Extract a serialized bag into `target` and return the bag's folder. Refuses anything but
    plain files and folders under one top-level folder with names HoSo writes (no links, no
    absolute or `..` paths, nothing outside)."""
    try:
        with tarfile.open(package, mode="r:*") as tar:
            tops = set()
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not (member.isfile() or member.isdir()) or not parts or not all(_SAFE.match(p) for p in parts) \
                        or any(p in (".", "..") for p in parts):
                    raise PackageRefused(f"{member.name!r}: not a plain file or folder of a HoSo transfer package")
                tops.add(parts[0])
                if len(tops) > 1:
                    raise PackageRefused("a bag has one top-level folder; this package has several")
                if member.isfile():
                    tar.extract(member, target, set_attrs=False, filter="data")
                else:
                    (target / member.name).mkdir(parents=True, exist_ok=True)
    except (tarfile.TarError, EOFError) as e:
        raise PackageRefused(f"not a readable tar file: {e}") from e
    if not tops:
        raise PackageRefused("the package is empty")
    return target / tops.pop()


def validate(bag: Path) -> dict[str, str]:
    """Check a bag folder as RFC 8493 says: `bagit.txt`, every file of the manifest present with
    its SHA-256, no payload file the manifest does not list, the Payload-Oxum, and the tag
    manifest. Returns `bag-info.txt`'s fields; PackageRefused names the first problem."""
    if not (bag / "bagit.txt").is_file() or "BagIt-Version:" not in (bag / "bagit.txt").read_text("utf-8"):
        raise PackageRefused("bagit.txt is missing: not a bag")
    listed = _check_manifest(bag, f"manifest-{ALGORITHM}.txt")
    present = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    if extra := sorted(present - set(listed)):
        raise PackageRefused(f"{extra[0]}: in the payload but not in the bag's manifest")
    info = dict(line.split(": ", 1) for line in (bag / "bag-info.txt").read_text("utf-8").splitlines()
                if ": " in line) if (bag / "bag-info.txt").is_file() else {}
    oxum = f"{sum((bag / p).stat().st_size for p in listed)}.{len(listed)}"
    if info.get("Payload-Oxum", oxum) != oxum:
        raise PackageRefused(f"Payload-Oxum says {info['Payload-Oxum']}, the payload is {oxum}")
    if (bag / f"tagmanifest-{ALGORITHM}.txt").is_file():
        _check_manifest(bag, f"tagmanifest-{ALGORITHM}.txt")
    return info


def _check_manifest(bag: Path, name: str) -> dict[str, str]:
    if not (bag / name).is_file():
        raise PackageRefused(f"{name} is missing")
    listed = {}
    for line in (bag / name).read_text("utf-8").splitlines():
        digest, _, path = line.partition("  ")
        if not path or path.startswith("/") or ".." in PurePosixPath(path).parts:
            raise PackageRefused(f"{name}: a line HoSo cannot read: {line[:200]!r}")
        listed[path] = digest
        if not (bag / path).is_file():
            raise PackageRefused(f"{path}: listed in {name} but missing from the package")
        if sha256_file(bag / path)[0] != digest:
            raise PackageRefused(f"{path}: its SHA-256 is not the one {name} records (changed after packing)")
    return listed

