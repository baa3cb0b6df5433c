"""The archival copy: one PDF per document, its pages in order, before it is signed.

A scanned page arrives as a one-page PDF (page image under an invisible text layer); a
born-digital page is taken as it is from the original PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from .errors import ArchivalCopyError


@dataclass(frozen=True)
class PagePart:
    pdf: Path  # the PDF holding the page
    index: int = 0  # which page of it


@dataclass(frozen=True)
class Description:
    title: str
    dossier_code: str
    document_id: str
    agency_code: str
    doc_type: str


def assemble(parts: list[PagePart], description: Description) -> bytes:
    try:
        with pikepdf.new() as archival:
            sources: dict[Path, pikepdf.Pdf] = {}
            try:
                for part in parts:
                    if part.pdf not in sources:
                        sources[part.pdf] = pikepdf.open(part.pdf)
                    archival.pages.append(sources[part.pdf].pages[part.index])
                _describe(archival, description)
                buffer = io.BytesIO()
                archival.save(buffer, deterministic_id=True)
            finally:
                for source in sources.values():
                    source.close()
    except (pikepdf.PdfError, OSError, IndexError) as e:
        raise ArchivalCopyError(f"cannot assemble the archival copy: {e}") from e
    return buffer.getvalue()


def _describe(pdf: pikepdf.Pdf, d: Description) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = d.title
        meta["dc:language"] = ["vi"]
        meta["dc:identifier"] = f"{d.dossier_code}/{d.document_id}"
        meta["dc:publisher"] = [d.agency_code]
        meta["dc:type"] = [d.doc_type]
        meta["pdf:Producer"] = "HoSo"
    pdf.docinfo["/Title"] = d.title
    pdf.docinfo["/Subject"] = f"{d.dossier_code} {d.doc_type}"
    pdf.docinfo["/Producer"] = "HoSo"
