"""Verification of signed PDFs: an answer with a bottom line and reasons, never an exception.

Archivists verify records years after signing and clerks verify PDFs that arrive already signed,
so a broken, unsigned, altered or untrusted file must produce a readable report, not an error
page. Trust comes only from the roots passed in; nothing is fetched from the network.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from io import BytesIO

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pydantic import BaseModel
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ._devpki import DEV_MARKER

# PAdES (EN 319 142-1) wants non-repudiation or digital signature on the signer certificate;
# pyHanko's default demands non-repudiation only, which some agency seal certificates lack.
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"})


class SignatureReport(BaseModel):
    field: str
    signer: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool | None  # None: no revocation information was consulted (B-B, no fetching)
    covers_whole_document: bool
    modified_after_signing: bool
    level: str
    summary: str


class VerificationReport(BaseModel):
    valid: bool
    signatures: list[SignatureReport]
    error: str | None = None
    development_signer: bool = False


def verify_pdf(pdf: bytes, trust_roots: list[asn1_x509.Certificate]) -> VerificationReport:
    """Verify every signature in `pdf` against `trust_roots` only."""
    return asyncio.run(async_verify_pdf(pdf, trust_roots))


async def async_verify_pdf(
    pdf: bytes, trust_roots: list[asn1_x509.Certificate]
) -> VerificationReport:
    """Same as `verify_pdf`, for callers already running an event loop (pyHanko is async)."""
    try:
        embedded = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures
    # A file that does not parse is an answer ("not a readable PDF"), whatever pyHanko raised.
    except Exception as e:
        return _failed(f"not a readable PDF: {type(e).__name__}: {e}")
    if not embedded:
        return _failed("the PDF has no signatures")

    reports: list[SignatureReport] = []
    problems: list[str] = []
    for sig in embedded:
        try:
            status = await _validate(sig, trust_roots)
        except Exception as e:  # a malformed signature dictionary or CMS blob
            name = _field_name(sig)
            problems.append(f"signature {name!r} cannot be validated: {type(e).__name__}: {e}")
            continue
        report, bottom_line = _report(sig, status)
        reports.append(report)
        if not bottom_line:
            problems.append(f"{report.field}: {report.summary}")
        elif anomaly := _unsigned_bytes_anomaly(sig):
            report.summary = anomaly
            problems.append(f"{report.field}: {anomaly}")

    if reports and not any(r.covers_whole_document for r in reports) and not problems:
        problems.append("no signature covers the whole file: it was modified after signing")
    return VerificationReport(
        valid=not problems,
        signatures=reports,
        error="; ".join(problems) or None,
        development_signer=any(DEV_MARKER in r.signer for r in reports),
    )


async def _validate(
    sig: EmbeddedPdfSignature, trust_roots: list[asn1_x509.Certificate]
) -> PdfSignatureStatus:
    # One context per signature: contexts cache validation results and must not leak across.
    context = ValidationContext(
        trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail"
    )
    return await async_validate_pdf_signature(
        sig, signer_validation_context=context, key_usage_settings=_KEY_USAGE
    )


def _report(sig: EmbeddedPdfSignature, status: PdfSignatureStatus) -> tuple[SignatureReport, bool]:
    """The report for one signature, and whether it holds (pyHanko's bottom line, stricter)."""
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # Bytes after this signature are fine only when pyHanko's diff analysis accepts them
    # (a later signature or timestamp); anything else was slipped in after signing.
    later_updates_ok = whole or status.docmdp_ok is True
    notes = []
    if not status.intact:
        notes.append("the signed bytes were changed after signing")
    elif not status.valid:
        notes.append("the signature value does not verify against the signer certificate")
    if status.revoked:
        notes.append("the signer certificate is revoked")
    elif status.intact and status.valid and not status.trusted:
        why = _trust_problem(status)
        notes.append(f"the signer certificate does not chain to a trusted root ({why})")
    if not whole:
        level = status.modification_level
        how = f" ({level.name.lower()})" if level is not None else ""
        verdict = "accepted" if later_updates_ok else "not allowed"
        notes.append(f"the file was modified after this signature{how}, {verdict}")
    ok = status.bottom_line and later_updates_ok and not status.revoked

    summary = "; ".join(notes) if notes else "intact, valid and trusted; covers the whole file"
    if ok and notes:
        summary = f"valid; {summary}"
    report = SignatureReport(
        field=_field_name(sig),
        signer=status.signing_cert.subject.human_friendly,
        signing_time=status.signer_reported_dt,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=True if status.revoked else None,
        covers_whole_document=whole,
        modified_after_signing=not whole,
        level=_level(sig, status),
        summary=summary,
    )
    return report, ok


def _unsigned_bytes_anomaly(sig: EmbeddedPdfSignature) -> str | None:
    try:
        return _unsigned_bytes_changed(sig)
    except Exception as e:  # pyHanko parsed the CMS already; a failure here is still an answer
        return f"the signature value cannot be inspected: {type(e).__name__}: {e}"


def _unsigned_bytes_changed(sig: EmbeddedPdfSignature) -> str | None:
    """Check the parts of /Contents that no signature covers and pyHanko does not look at.

    /Contents lies outside /ByteRange: the zero padding after the CMS value, the outer list of
    digest algorithms and the SignerInfo version could change without pyHanko noticing. They
    change nothing that was signed, but the design wants any changed byte to be detected.
    """
    contents = bytes(sig.pkcs7_content)
    used = len(cms.ContentInfo.load(contents, strict=False).dump())  # original bytes, as read
    if contents[used:].strip(b"\x00"):
        return "the padding after the signature value was changed"
    signed_data = sig.signed_data
    outer = {alg["algorithm"].native for alg in signed_data["digest_algorithms"]}
    for info in signed_data["signer_infos"]:
        if info["digest_algorithm"]["algorithm"].native not in outer:
            return "the signature's list of digest algorithms was changed"
        expected = "v1" if info["sid"].name == "issuer_and_serial_number" else "v3"
        if info["version"].native != expected:
            return "the signature's SignerInfo version was changed"
    return None


def _level(sig: EmbeddedPdfSignature, status: PdfSignatureStatus) -> str:
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return subfilter.lstrip("/") or "unknown"  # not PAdES (e.g. adbe.pkcs7.detached)
    return "B-T" if status.timestamp_validity is not None else "B-B"


def _trust_problem(status: PdfSignatureStatus) -> str:
    if status.trust_problem_indic is not None:
        return status.trust_problem_indic.name.lower()
    return "no path to a trust root"


def _field_name(sig: EmbeddedPdfSignature) -> str:
    try:
        return str(sig.field_name)
    except Exception:  # a field without /T; the report still needs a label
        return "?"


def _failed(error: str) -> VerificationReport:
    return VerificationReport(valid=False, signatures=[], error=error)
