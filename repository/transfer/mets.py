"""METS 1.12 with PREMIS 3.0 for one dossier of a transfer package.

`mets.xml` sits in the dossier's folder of the bag: its `fileSec` lists every file of the dossier
(original, archival copy, OCR result, signature report, manifest, audit entries) with its size,
SHA-256 and a path relative to itself; its `structMap` is the dossier with one division per
document. Each document, and the dossier itself, has a `digiprovMD` holding a PREMIS container:
its files as PREMIS objects (fixity, size, format, original name, the archival copy's derivation
from the original), the events that made them (reception, digitisation, signing, the fixity
check and signature validation done when packing, and every audit entry that names them) and
the agents of those events (HoSo, the receiving agency, the signer, each audit actor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from ..model import Document, Dossier

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATIONS = (f"{METS} http://www.loc.gov/standards/mets/mets.xsd "
                    f"{PREMIS} http://www.loc.gov/standards/premis/v3/premis.xsd")
SOFTWARE = "HoSo"
for _prefix, _uri in (("mets", METS), ("premis", PREMIS), ("xlink", XLINK), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class PackedFile:
    """A file of the dossier as it went into the bag."""

    path: str  # relative to the dossier's folder: `documents/{id}/archival.pdf`
    sha256: str
    size: int
    media_type: str
    use: str  # original, archival, ocr, signature-report, manifest, audit
    document_id: str | None  # None: a file of the dossier as a whole


@dataclass(frozen=True)
class Check:
    """What packing found about a document: its archival copy's signature verdict."""

    indication: str  # TOTAL-PASSED, INDETERMINATE, TOTAL-FAILED
    summary: str


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _p(tag: str) -> str:
    return f"{{{PREMIS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _when(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.astimezone(timezone.utc).isoformat()


def mets_xml(dossier: Dossier, files: list[PackedFile], checks: dict[str, Check], audit: list[dict],
             packed_at: datetime) -> bytes:
    """The METS document of one dossier; `audit` its entries (each names the dossier or one of
    its documents in its target: an entry naming a document goes with it, the rest with the
    dossier), `checks` the verdicts packing found per document id."""
    root = ET.Element(_m("mets"), {"OBJID": dossier.dossier_code, "TYPE": "dossier",
                                   "LABEL": f"Hồ sơ {dossier.dossier_code}", "PROFILE": "HoSo transfer 1",
                                   f"{{{XSI}}}schemaLocation": SCHEMA_LOCATIONS})
    header = _sub(root, _m("metsHdr"), CREATEDATE=_when(packed_at).replace("+00:00", "Z"))
    agent = _sub(header, _m("agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(agent, _m("name"), SOFTWARE)
    owner = _sub(header, _m("agent"), ROLE="CUSTODIAN", TYPE="ORGANIZATION")
    _sub(owner, _m("name"), dossier.agency_code)

    admin = _sub(root, _m("amdSec"))
    groups = [("dossier", None, [f for f in files if f.document_id is None])]
    groups += [(f"document-{d.id}", d, [f for f in files if f.document_id == d.id]) for d in dossier.documents]
    for admid, document, own in groups:
        digiprov = _sub(admin, _m("digiprovMD"), ID=f"premis-{admid}")
        wrap = _sub(digiprov, _m("mdWrap"), MDTYPE="PREMIS", MDTYPEVERSION="3.0")
        entries = [e for e in audit if _names(e, document.id)] if document else \
            [e for e in audit if not any(_names(e, d.id) for d in dossier.documents)]
        _sub(wrap, _m("xmlData")).append(_premis(dossier, document, own, checks.get(document.id) if document else None,
                                                 entries, packed_at))

    file_sec = _sub(root, _m("fileSec"))
    for use in dict.fromkeys(f.use for f in files):
        group = _sub(file_sec, _m("fileGrp"), USE=use)
        for f in (f for f in files if f.use == use):
            entry = _sub(group, _m("file"), ID=_file_id(f), MIMETYPE=f.media_type, SIZE=str(f.size),
                         CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256",
                         ADMID=f"premis-document-{f.document_id}" if f.document_id else "premis-dossier")
            _sub(entry, _m("FLocat"), LOCTYPE="URL", **{f"{{{XLINK}}}href": f.path, f"{{{XLINK}}}type": "simple"})

    struct = _sub(root, _m("structMap"), TYPE="logical")
    top = _sub(struct, _m("div"), TYPE="dossier", LABEL=dossier.dossier_code, ADMID="premis-dossier")
    for f in files:
        if f.document_id is None:
            _sub(top, _m("fptr"), FILEID=_file_id(f))
    for n, d in enumerate(dossier.documents, 1):
        div = _sub(top, _m("div"), TYPE=d.doc_type or "document", ORDER=str(n), LABEL=d.filename,
                   ADMID=f"premis-document-{d.id}")
        for f in files:
            if f.document_id == d.id:
                _sub(div, _m("fptr"), FILEID=_file_id(f))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _file_id(f: PackedFile) -> str:
    return "file-" + f.path.replace("/", "-").replace(".", "-")


def _names(entry: dict, document_id: str) -> bool:
    """Whether an audit entry's target names the document (`{code}/{id}`, a route's path)."""
    return document_id in str(entry.get("target", "")).split("/")


def _premis(dossier: Dossier, document: Document | None, files: list[PackedFile], check: Check | None,
            audit: list[dict], packed_at: datetime) -> ET.Element:
    premis = ET.Element(_p("premis"), version="3.0")
    ids = {f.use: f"{dossier.dossier_code}/{f.path}" for f in files}
    for f in files:
        obj = _sub(premis, _p("object"), **{f"{{{XSI}}}type": "premis:file"})
        _identifier(obj, "objectIdentifier", "HoSo path", ids[f.use])
        traits = _sub(obj, _p("objectCharacteristics"))
        _sub(traits, _p("compositionLevel"), "0")
        fixity = _sub(traits, _p("fixity"))
        _sub(fixity, _p("messageDigestAlgorithm"), "SHA-256")
        _sub(fixity, _p("messageDigest"), f.sha256)
        _sub(fixity, _p("messageDigestOriginator"), SOFTWARE)
        _sub(traits, _p("size"), str(f.size))
        _sub(_sub(_sub(traits, _p("format")), _p("formatDesignation")), _p("formatName"), f.media_type)
        if f.use == "original" and document is not None:
            _sub(obj, _p("originalName"), document.filename)
        if f.use in ("archival", "ocr") and "original" in ids:
            relation = _sub(obj, _p("relationship"))
            _sub(relation, _p("relationshipType"), "derivation")
            _sub(relation, _p("relationshipSubType"), "is derived from")
            _identifier(relation, "relatedObjectIdentifier", "HoSo path", ids["original"])

    agents = {"software": (SOFTWARE, "software"), "agency": (dossier.agency_code, "organization")}
    events: list[tuple[str, str, datetime | str, str, str, list[str], list[str]]] = []  # id, type, when, outcome…
    objects = list(ids.values())
    if document is not None:
        events.append(("ingestion", "ingestion", dossier.received_at, "success",
                       f"received as {document.filename} ({document.media_type})", ["agency", "software"],
                       [ids["original"]] if "original" in ids else []))
        if document.processed_at is not None:
            outcome = "failure" if document.reason else "success"
            events.append(("digitization", "digitization", document.processed_at, outcome,
                           document.reason or f"read as {document.doc_type}, {len(document.pages)} pages",
                           ["software"], objects))
        if document.signature is not None:
            agents["signer"] = (document.signature.signer, "person")
            events.append(("signing", "digital signature generation", document.signature.signed_at, "success",
                           f"PAdES {document.signature.level}", ["signer"], [ids["archival"]]))
        if check is not None:
            events.append(("validation", "digital signature validation", packed_at,
                           "success" if check.indication == "TOTAL-PASSED" else "failure",
                           f"{check.indication}: {check.summary}", ["software"], [ids["archival"]]))
        if document.disposal is not None:
            agents["disposer"] = (document.disposal.by, "person")
            events.append(("disposal", "deletion", document.disposal.at, "success", document.disposal.reason,
                           ["disposer"], []))
    events.append(("fixity", "fixity check", packed_at, "success", "SHA-256 recorded at storage checked on packing",
                   ["software"], objects))
    for entry in audit:
        who = f"actor-{entry.get('actor')}"
        agents[who] = (str(entry.get("actor")), "person")
        events.append((str(entry.get("id")), str(entry.get("action")), str(entry.get("at")), "success",
                       f"audit entry {entry.get('id')}", [who], objects))

    for n, (event_id, kind, when, outcome, detail, by, about) in enumerate(events):
        event = _sub(premis, _p("event"))
        _identifier(event, "eventIdentifier", "HoSo event",
                    f"{dossier.dossier_code}/{document.id if document else ''}/{event_id}-{n}")
        _sub(event, _p("eventType"), kind)
        _sub(event, _p("eventDateTime"), _when(when))
        _sub(_sub(event, _p("eventDetailInformation")), _p("eventDetail"), detail)
        _sub(_sub(event, _p("eventOutcomeInformation")), _p("eventOutcome"), outcome)
        for key in by:
            _identifier(event, "linkingAgentIdentifier", "HoSo agent", key)
        for value in about:
            _identifier(event, "linkingObjectIdentifier", "HoSo path", value)
    for key, (name, kind) in agents.items():
        agent = _sub(premis, _p("agent"))
        _identifier(agent, "agentIdentifier", "HoSo agent", key)
        _sub(agent, _p("agentName"), name)
        _sub(agent, _p("agentType"), kind)
    return premis


def _identifier(parent: ET.Element, element: str, kind: str, value: str) -> None:
    """PREMIS's identifier pairs: `{element}Type` and `{element}Value` (`linking…Identifier` too)."""
    node = _sub(parent, _p(element))
    _sub(node, _p(f"{element}Type"), kind)
    _sub(node, _p(f"{element}Value"), value)
