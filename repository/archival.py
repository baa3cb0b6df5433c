"""The archival copy: one PDF/A per document, its pages in order, before it is signed.

A scanned page arrives as a one-page PDF (page image under an invisible text layer); a
born-digital page is taken as it is from the original PDF. The copy is PDF/A-2b by default, or
PDF/A-1b (the national long-term format, TCVN 14159-1) on request: XMP metadata that says so,
an sRGB output intent for the device colours of the scans, and for PDF/A-1 the PDF 1.4 file
structure (no object streams, no xref streams), which the signature's incremental update keeps.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from .errors import ArchivalCopyError

Flavour = Literal["1b", "2b"]
FLAVOURS: tuple[Flavour, ...] = ("1b", "2b")
OUTPUT_CONDITION = "sRGB IEC61966-2.1"


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


def assemble(parts: list[PagePart], description: Description, *, flavour: Flavour = "2b") -> bytes:
    """The unsigned archival copy of `parts`, as PDF/A of the given flavour ("2b" or "1b")."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown PDF/A flavour {flavour!r}: use one of {', '.join(FLAVOURS)}")
    try:
        with pikepdf.new() as archival:
            sources: dict[Path, pikepdf.Pdf] = {}
            try:
                for part in parts:
                    if part.pdf not in sources:
                        sources[part.pdf] = pikepdf.open(part.pdf)
                    archival.pages.append(sources[part.pdf].pages[part.index])
                _flatten(archival)
                _describe(archival, description, flavour)
                _add_output_intent(archival)
                buffer = io.BytesIO()
                # Object streams (and so xref streams) came with PDF 1.5: PDF/A-1 is PDF 1.4.
                # Without them the signature's incremental update keeps a classic xref table.
                archival.save(buffer, deterministic_id=True,
                              object_stream_mode=pikepdf.ObjectStreamMode.disable,
                              **({"force_version": "1.4"} if flavour == "1b" else {"min_version": "1.7"}))
            finally:
                for source in sources.values():
                    source.close()
    except (pikepdf.PdfError, OSError, IndexError) as e:
        raise ArchivalCopyError(f"cannot assemble the archival copy: {e}") from e
    return buffer.getvalue()


def _flatten(pdf: pikepdf.Pdf) -> None:
    """A received PDF's form fields and signatures (another agency's) are drawn into the page:
    they stay visible, but belong to the original, not to this copy. QPDF draws only the visible
    annotations that have an appearance; a widget it leaves (hidden, or without appearance) is
    removed, so no field of the original, least of all a signature whose bytes this copy does
    not hold, lives on beside HoSo's own."""
    pdf.flatten_annotations("all")
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [a for a in annotations if a.get("/Subtype") != "/Widget"]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]


def _describe(pdf: pikepdf.Pdf, d: Description, flavour: Flavour) -> None:
    """XMP metadata (Dublin Core and the PDF/A identification) mirrored in the Info dictionary.

    No private XMP schema: pyHanko rewrites the XMP packet when it signs, and Dublin Core already
    carries the dossier code and document id, the agency, the document type and the language.
    """
    title = _xmp_text(d.title)
    subject = _xmp_text(f"{d.dossier_code} {d.doc_type}")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["dc:description"] = subject
        meta["dc:language"] = ["vi"]
        meta["dc:identifier"] = _xmp_text(f"{d.dossier_code}/{d.document_id}")
        meta["dc:publisher"] = [_xmp_text(d.agency_code)]
        meta["dc:type"] = [_xmp_text(d.doc_type)]
        meta["pdf:Producer"] = "HoSo"
        meta["pdfaid:part"] = flavour[0]
        meta["pdfaid:conformance"] = flavour[1].upper()
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Subject"] = subject
    # PDF/A wants each Info entry equal to its XMP twin. On signing, pyHanko appends its name to
    # an Info /Producer but puts only its own in the XMP; with no /Producer here both get its own.
    if "/Producer" in pdf.docinfo:
        del pdf.docinfo["/Producer"]
    pdf.Root.Lang = String("vi")


def add_signature_field(writer: IncrementalPdfFileWriter, name: str) -> None:
    """An empty invisible signature field `name` on page 1, for the signer to fill.

    pyHanko gives the widget of an invisible signature no appearance; PDF/A-1 wants one on
    every widget (PDF/A-2 lets a zero-size one go without), so this one gets an empty one.
    """
    fields.append_signature_field(writer, fields.SigFieldSpec(name))
    _, _, ref = next(fields.enumerate_sig_fields(writer, with_name=name))
    widget = ref.get_object()
    appearance = generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4),
    }, stream_data=b"")
    widget["/AP"] = generic.DictionaryObject({generic.NameObject("/N"): writer.add_object(appearance)})
    writer.update_container(widget)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _xmp_text(value: str) -> str:
    """NFC text that XML can hold (a file name may carry control characters)."""
    return _NOT_XML.sub(" ", unicodedata.normalize("NFC", value))


def _add_output_intent(pdf: pikepdf.Pdf) -> None:
    """The scans are in DeviceRGB/DeviceGray: PDF/A wants an output intent saying what they mean."""
    profile = pdf.make_stream(_srgb_icc_profile())
    profile.N = 3
    pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,  # the PDF/A subtype for PDF/A-2 as well
        OutputConditionIdentifier=String(OUTPUT_CONDITION),
        Info=String(OUTPUT_CONDITION),
        RegistryName=String("http://www.color.org"),
        DestOutputProfile=profile,
    ))])


# sRGB (IEC 61966-2-1) primaries and white, adapted to the D50 connection space (Bradford).
_D50 = (0.9642, 1.0, 0.8249)
_PRIMARIES = {b"rXYZ": (0.4361, 0.2225, 0.0139), b"gXYZ": (0.3851, 0.7169, 0.0971),
              b"bXYZ": (0.1431, 0.0606, 0.7141)}


@cache
def _srgb_icc_profile() -> bytes:
    """A version 2.1 sRGB display profile, built here so no binary is kept in the repository.

    Version 2 because PDF/A-1 (PDF 1.4) reads no later ICC profiles; Pillow's lcms makes v4
    ones. Built from constants, the bytes are the same on every run.
    """
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    def srgb_to_linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    def ascii_desc(text: bytes) -> bytes:  # textDescriptionType: ASCII, no Unicode, no ScriptCode
        return b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + bytes(8 + 3 + 67)

    curve = [round(srgb_to_linear(i / 1023) * 65535) for i in range(1024)]
    trc = b"curv\0\0\0\0" + struct.pack(">I1024H", len(curve), *curve)
    tags = [(b"desc", ascii_desc(OUTPUT_CONDITION.encode())),
            (b"cprt", b"text\0\0\0\0No copyright, use freely\0"),
            (b"wtpt", xyz(*_D50)),
            *((name, xyz(*value)) for name, value in _PRIMARIES.items()),
            (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    table, data, offsets = [], b"", {}
    start = 128 + 4 + 12 * len(tags)
    for name, body in tags:
        if body not in offsets:  # the three curves share one copy
            offsets[body] = start + len(data)
            data += body + bytes(-len(body) % 4)
        table.append(struct.pack(">4sII", name, offsets[body], len(body)))
    size = start + len(data)
    header = (struct.pack(">I4sI4s4s4s6H4s", size, b"\0\0\0\0", 0x02100000, b"mntr", b"RGB ", b"XYZ ",
                          2024, 1, 1, 0, 0, 0, b"acsp")
              + bytes(4 + 4 + 4 + 4 + 8 + 4)  # platform, flags, manufacturer, model, attributes, intent
              + xyz(*_D50)[8:] + bytes(4 + 16 + 28))  # illuminant; creator, id, reserved
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(table) + data
