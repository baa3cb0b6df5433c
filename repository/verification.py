"""Verification of signed PDFs: an answer with a bottom line and reasons, never an exception.

Archivists verify records years after signing and clerks verify PDFs that arrive already signed,
so a broken, unsigned, altered or untrusted file must produce a readable report, not an error
page. Trust comes only from the roots passed in. Revocation data comes from the file (the DSS
of a B-LT/B-LTA copy, or data inside the signature); the network is asked only when the caller
allows it, and only about what the file does not answer.

A timestamped signature is checked as of its timestamp's time, with the certificates and OCSP/CRL
answers embedded in the file: that is what keeps a B-LT copy verifiable after the signer's
certificate has expired. The level reported is the one the file reaches, not the one claimed:
B-T needs a valid, trusted signature timestamp; B-LT also needs the revocation status of the
signer's and the TSA's certificates to be decidable ("good") from the file alone; B-LTA also
needs a valid document timestamp over the DSS.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Literal, NamedTuple

from asn1crypto import cms, crl, ocsp, tsp
from asn1crypto import x509 as asn1_x509
from pydantic import BaseModel
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESStatus
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    SignatureStatus,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from ._devpki import DEV_MARKER

# PAdES (EN 319 142-1) wants non-repudiation or digital signature on the signer certificate;
# pyHanko's default demands non-repudiation only, which some agency seal certificates lack.
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"})
_ARCHIVE_UPDATES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
_HEX_CONTENTS = re.compile(rb"<(?:[0-9a-f]*|[0-9A-F]*)>")

Revocation = Literal["good", "revoked", "unknown"]
# ETSI EN 319 102-1: the main indication of a signature's validation, as EU DSS reports it.
Indication = Literal["TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED"]
_INDICATION: dict[AdESStatus, Indication] = {AdESStatus.PASSED: "TOTAL-PASSED",
                                             AdESStatus.INDETERMINATE: "INDETERMINATE",
                                             AdESStatus.FAILED: "TOTAL-FAILED"}


class SignatureReport(BaseModel):
    field: str
    signer: str
    signing_time: datetime | None  # as the signer's computer said (not evidence)
    timestamp_time: datetime | None = None  # from a valid, trusted signature timestamp
    timestamp_authority: str | None = None
    indication: Indication  # the verdict: `valid` is true exactly when it is TOTAL-PASSED
    sub_indication: str | None = None  # why not TOTAL-PASSED (ETSI EN 319 102-1 names)
    intact: bool
    valid: bool
    trusted: bool
    trust_root: str | None = None  # the configured root the signer's chain ends at
    chain: list[str] = []  # signer first
    revocation: Revocation = "unknown"
    revoked: bool | None  # None: unknown (B-B/B-T without revocation data, nothing fetched)
    validated_at: datetime | None = None  # the time the certificates were checked for
    covers_whole_document: bool
    modified_after_signing: bool
    level: str
    summary: str


class TimestampReport(BaseModel):
    """A document timestamp (B-LTA): proof that the file, DSS included, existed at `time`."""

    field: str
    time: datetime | None
    authority: str
    indication: Indication
    sub_indication: str | None = None
    intact: bool
    valid: bool  # the verdict: TOTAL-PASSED
    trusted: bool
    covers_whole_document: bool
    summary: str


class VerificationReport(BaseModel):
    valid: bool
    signatures: list[SignatureReport]
    timestamps: list[TimestampReport] = []
    problems: list[str] = []  # each once: a signature's or timestamp's as `field: summary`
    error: str | None = None  # the problems in one sentence
    development_signer: bool = False


def verify_pdf(
    pdf: bytes,
    trust_roots: list[asn1_x509.Certificate],
    *,
    allow_fetching: bool = False,
    timeout: float = 10.0,
) -> VerificationReport:
    """Verify every signature and document timestamp in `pdf` against `trust_roots` only.

    With `allow_fetching`, revocation data the file lacks is asked of the OCSP responders and
    CRL distribution points the certificates name (each request limited to `timeout` s).
    """
    return asyncio.run(
        async_verify_pdf(pdf, trust_roots, allow_fetching=allow_fetching, timeout=timeout)
    )


async def async_verify_pdf(
    pdf: bytes,
    trust_roots: list[asn1_x509.Certificate],
    *,
    allow_fetching: bool = False,
    timeout: float = 10.0,
) -> VerificationReport:
    """Same as `verify_pdf`, for callers already running an event loop (pyHanko is async)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = reader.embedded_regular_signatures
        doc_timestamps = reader.embedded_timestamp_signatures
        filled_fields = len(list(enumerate_sig_fields(reader, filled_status=True)))
    # A file that does not parse is an answer ("not a readable PDF"), whatever pyHanko raised.
    except Exception as e:
        return _failed(f"not a readable PDF: {type(e).__name__}: {e}")
    if not embedded:
        return _failed("the PDF has no signatures")

    problems: list[str] = []
    try:
        evidence = _Evidence.from_dss(reader)
    except Exception as e:  # a DSS that does not parse: whatever it held cannot be relied on
        evidence = _Evidence()
        problems.append(f"the document security store cannot be read: {type(e).__name__}: {e}")
    if filled_fields != len(embedded) + len(doc_timestamps):
        problems.append("a signature field holds a signature of a type that cannot be checked")

    checker = _Checker(pdf, trust_roots, evidence, allow_fetching, timeout)
    stamps: list[TimestampReport] = []
    stamp_revisions: list[tuple[int, bool]] = []  # (signed revision, valid and covers a DSS)
    for stamp in doc_timestamps:
        try:
            report, ok, covers_dss = await checker.document_timestamp(stamp)
        except Exception as e:  # a malformed timestamp dictionary or token
            name = _field_name(stamp)
            problems.append(f"timestamp {name!r} cannot be validated: {type(e).__name__}: {e}")
            continue
        stamps.append(report)
        stamp_revisions.append((stamp.signed_revision, ok and covers_dss))
        if not ok:
            problems.append(f"{report.field}: {report.summary}")

    reports: list[SignatureReport] = []
    for sig in embedded:
        archived = any(rev > sig.signed_revision and good for rev, good in stamp_revisions)
        try:
            report, ok = await checker.signature(sig, archived=archived)
        except Exception as e:  # a malformed signature dictionary or CMS blob
            name = _field_name(sig)
            problems.append(f"signature {name!r} cannot be validated: {type(e).__name__}: {e}")
            continue
        reports.append(report)
        if not ok:
            problems.append(f"{report.field}: {report.summary}")

    covered = any(r.covers_whole_document for r in reports) or any(
        t.covers_whole_document for t in stamps
    )
    if reports and not covered and not problems:
        problems.append("no signature covers the whole file: it was modified after signing")
    return VerificationReport(
        valid=not problems,
        signatures=reports,
        timestamps=stamps,
        problems=problems,
        error="; ".join(problems) or None,
        development_signer=any(DEV_MARKER in r.signer for r in reports),
    )


@dataclass
class _Evidence:
    """Certificates and revocation answers stored in the file's DSS."""

    certs: list[asn1_x509.Certificate] = field(default_factory=list)
    ocsps: list[ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[crl.CertificateList] = field(default_factory=list)

    @property
    def revinfo(self) -> bool:
        return bool(self.ocsps or self.crls)

    @classmethod
    def from_dss(cls, reader: PdfFileReader) -> _Evidence:
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            return cls()
        ocsps = [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
        crls = [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
        for item in (*ocsps, *crls):
            item.native  # noqa: B018 - parse now: a damaged answer is a damaged store
        return cls(list(dss.load_certs()), ocsps, crls)


class _Assessment(NamedTuple):
    status: PdfSignatureStatus
    timestamped: bool  # a valid signature timestamp from a trusted TSA
    revocation: Revocation
    from_file: bool  # signer's and TSA's revocation status decided by the file alone


class _Checker:
    def __init__(self, pdf: bytes, roots: list, evidence: _Evidence, fetch: bool, timeout: float):
        self.pdf = pdf
        self.roots = list(roots)
        self.evidence = evidence
        self.fetch = fetch
        self.timeout = timeout

    def _context(
        self, moment: datetime | None, *, fetch: bool, require: bool, sig=None
    ) -> ValidationContext:
        # One context per check: contexts cache validation results and must not leak across.
        certs, ocsps, crls = self.evidence.certs, self.evidence.ocsps, self.evidence.crls
        if sig is not None:
            # A TSA's token often carries only the TSA's certificate; its issuer may be among
            # those the signature carries. Revocation data may also sit inside the signature.
            carried = sig.signed_data["certificates"] or []
            certs = [*certs, *(c.chosen for c in carried if c.name == "certificate")]
            cms_ocsps, cms_crls = _signed_revinfo(sig)
            ocsps, crls = [*ocsps, *cms_ocsps], [*crls, *cms_crls]
        kwargs: dict = {}
        if moment is not None:
            # Checked as of the timestamp; an OCSP/CRL answer issued later still tells whether
            # the certificate had been revoked by then.
            kwargs = {"moment": moment, "retroactive_revinfo": True}
        if fetch:
            backend = AIOHttpFetcherBackend(per_request_timeout=self.timeout)
            kwargs["fetcher_backend"] = OwnedFetcherBackend(backend)
        return ValidationContext(
            trust_roots=self.roots,
            other_certs=certs,
            ocsps=ocsps,
            crls=crls,
            allow_fetching=fetch,
            # "require": revocation data for every certificate but the root, or not trusted.
            revocation_mode="require" if require else "soft-fail",
            **kwargs,
        )

    async def _validate_signature(
        self, sig, moment, *, fetch: bool = False, require: bool = False
    ) -> PdfSignatureStatus:
        signer_ctx = self._context(moment, fetch=fetch, require=require, sig=sig)
        ts_ctx = self._context(moment, fetch=fetch, require=require, sig=sig)
        try:
            return await async_validate_pdf_signature(
                sig,
                signer_validation_context=signer_ctx,
                ts_validation_context=ts_ctx,
                key_usage_settings=_KEY_USAGE,
            )
        finally:
            await signer_ctx.aclose()
            await ts_ctx.aclose()

    async def _assess(self, sig: EmbeddedPdfSignature) -> _Assessment:
        """Validate as of the signature timestamp if there is a trustworthy one (else now), then
        find out whether the chain's revocation status can be decided."""
        moment = _claimed_timestamp_time(sig.signed_data)
        status = await self._validate_signature(sig, moment)
        timestamped = _timestamp_ok(status)
        if moment is not None and not timestamped:  # no time to go back to: check as of now
            moment = None
            status = await self._validate_signature(sig, moment)
        # Revocation: validate again demanding an OCSP/CRL answer for every certificate. What
        # the file alone answers decides the level; fetching (if allowed) only completes it.
        revocation: Revocation = "revoked" if status.revoked else "unknown"
        from_file = False
        if status.trusted and (self.fetch or self.evidence.revinfo or any(_signed_revinfo(sig))):
            strict = await self._validate_signature(sig, moment, require=True)
            revocation = _revocation(strict)
            from_file = timestamped and revocation == "good" and _timestamp_ok(strict)
            if revocation == "unknown" and self.fetch:
                strict = await self._validate_signature(sig, moment, fetch=True, require=True)
                revocation = _revocation(strict)
            if revocation == "revoked":
                status = strict
        return _Assessment(status, timestamped, revocation, from_file)

    async def signature(self, sig: EmbeddedPdfSignature, *, archived: bool):
        """The report for one signature, and whether it holds."""
        status, timestamped, revocation, from_file = await self._assess(sig)
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        # Bytes after this signature are fine only when pyHanko's diff analysis accepts them
        # (a later signature, DSS or timestamp); anything else was slipped in after signing.
        later_updates_ok = whole or status.docmdp_ok is True
        notes = _status_notes(status, "signer")
        ts = status.timestamp_validity
        if ts is not None and not (ts.intact and ts.valid):
            notes.append("the signature timestamp does not verify")
        elif ts is not None and not ts.trusted:
            why = _trust_problem(ts)
            notes.append(f"the signature timestamp's authority is not trusted ({why})")
        if not whole:
            level = status.modification_level
            how = f" ({level.name.lower()})" if level is not None else ""
            verdict = "accepted" if later_updates_ok else "not allowed"
            notes.append(f"the file was modified after this signature{how}, {verdict}")
        ok = status.bottom_line and later_updates_ok and not status.revoked
        anomaly = _container_anomaly(self.pdf, sig, status) if ok else None
        if anomaly:
            notes.append(anomaly)
            ok = False

        if revocation == "unknown" and status.trusted:
            where = "available" if self.fetch else "in the file"
            notes.append(f"revocation status unknown (no OCSP/CRL answer {where})")
        summary = "; ".join(notes) if notes else "intact, valid and trusted; covers the whole file"
        if ok and notes:
            summary = f"valid; {summary}"
        path = status.validation_path
        tst = ts if timestamped else None
        indication, sub_indication = _verdict(status, ok, later_updates_ok and not anomaly)
        report = SignatureReport(
            field=_field_name(sig),
            signer=status.signing_cert.subject.human_friendly,
            signing_time=status.signer_reported_dt,
            timestamp_time=tst.timestamp if tst else None,
            timestamp_authority=tst.signing_cert.subject.human_friendly if tst else None,
            indication=indication,
            sub_indication=sub_indication,
            intact=status.intact,
            valid=ok,
            trusted=status.trusted,
            trust_root=_root_name(path) if status.trusted else None,
            chain=[c.subject.human_friendly for c in _path_certs(path)][::-1],
            revocation=revocation,
            revoked={"good": False, "revoked": True, "unknown": None}[revocation],
            validated_at=status.validation_time,
            covers_whole_document=whole,
            modified_after_signing=not whole,
            level=_level(sig, timestamped, from_file, archived),
            summary=summary,
        )
        return report, ok

    async def document_timestamp(self, stamp: EmbeddedPdfSignature):
        """The report for one document timestamp, whether it holds, and whether it covers a
        DSS (the B-LTA condition)."""
        claimed = _claimed_timestamp_time(stamp.signed_data)
        status = await self._validate_timestamp(stamp, claimed)
        if claimed is not None and not status.trusted:
            status = await self._validate_timestamp(stamp, None)
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        # After a document timestamp only the next links of the archive chain may follow.
        later_updates_ok = whole or status.modification_level in _ARCHIVE_UPDATES
        notes = _status_notes(status, "timestamp authority")
        if not whole:
            verdict = "accepted" if later_updates_ok else "not allowed"
            notes.append(f"the file was modified after this timestamp, {verdict}")
        ok = status.intact and status.valid and status.trusted and later_updates_ok
        anomaly = _container_anomaly(self.pdf, stamp, status) if ok else None
        if anomaly:
            notes.append(anomaly)
            ok = False
        summary = "; ".join(notes) if notes else "intact, valid and trusted; covers the whole file"
        if ok and notes:
            summary = f"valid; {summary}"
        indication, sub_indication = _verdict(status, ok, later_updates_ok and not anomaly)
        root = stamp.reader.get_historical_root(stamp.signed_revision)
        report = TimestampReport(
            field=_field_name(stamp),
            time=status.timestamp,
            authority=status.signing_cert.subject.human_friendly,
            indication=indication,
            sub_indication=sub_indication,
            intact=status.intact,
            valid=ok,
            trusted=status.trusted,
            covers_whole_document=whole,
            summary=summary,
        )
        return report, ok, "/DSS" in root

    async def _validate_timestamp(self, stamp, moment) -> DocumentTimestampStatus:
        context = self._context(moment, fetch=self.fetch, require=False)
        try:
            return await async_validate_pdf_timestamp(stamp, validation_context=context)
        finally:
            await context.aclose()


def _status_notes(status: SignatureStatus, who: str) -> list[str]:
    notes = []
    if not status.intact:
        notes.append("the signed bytes were changed after signing")
    elif not status.valid:
        notes.append(f"the signature value does not verify against the {who}'s certificate")
    if status.revoked:
        notes.append(f"the {who}'s certificate is revoked")
    elif status.intact and status.valid and not status.trusted:
        why = _trust_problem(status)
        notes.append(f"the {who}'s certificate does not chain to a trusted root ({why})")
    return notes


def _verdict(status: SignatureStatus, ok: bool, well_formed: bool) -> tuple[Indication, str | None]:
    """The ETSI EN 319 102-1 indication and sub-indication of a signature or timestamp that
    holds (`ok`) or not; `well_formed`: no bytes slipped in after it, nothing odd in its
    container. HoSo's policy: a revocation status nobody answered (B-B, B-T without a fetch)
    does not keep a trusted, intact signature from TOTAL-PASSED; the level says what the file
    proves, and the summary says the status is unknown."""
    if ok:
        return "TOTAL-PASSED", None
    trusted = getattr(status, "trusted", False)
    sub = (AdESFailure.HASH_FAILURE if not status.intact
           else AdESFailure.SIG_CRYPTO_FAILURE if not status.valid
           else AdESIndeterminate.REVOKED_NO_POE if getattr(status, "revoked", False)
           else (status.trust_problem_indic or AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND) if not trusted
           else AdESFailure.FORMAT_FAILURE if not well_formed  # bytes added after signing, an odd container
           else AdESIndeterminate.GENERIC)  # a signature timestamp that does not hold
    if not well_formed and sub.status is not AdESStatus.FAILED:
        sub = AdESFailure.FORMAT_FAILURE  # a change after signing fails, whatever else is unsure
    return _INDICATION[sub.status], sub.standard_name


def _timestamp_ok(status: PdfSignatureStatus) -> bool:
    ts = status.timestamp_validity
    return ts is not None and ts.intact and ts.valid and ts.trusted


def _revocation(strict: SignatureStatus) -> Revocation:
    """The answer of a validation that demanded revocation data for the whole chain."""
    if strict.revoked:
        return "revoked"
    return "good" if strict.trusted else "unknown"


def _level(sig: EmbeddedPdfSignature, timestamped: bool, from_file: bool, archived: bool) -> str:
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return subfilter.lstrip("/") or "unknown"  # not PAdES (e.g. adbe.pkcs7.detached)
    if not timestamped:
        return "B-B"
    if not from_file:
        return "B-T"
    return "B-LTA" if archived else "B-LT"


def _claimed_timestamp_time(signed_data: cms.SignedData) -> datetime | None:
    """The time a timestamp token claims, before anything about it is verified."""
    try:
        if signed_data["encap_content_info"]["content_type"].native == "tst_info":
            return _gen_time(signed_data)  # a document timestamp is itself a token
        for token in extract_tst_data_iter(signed_data["signer_infos"][0], signed=False):
            return _gen_time(token)
    except Exception:  # a damaged token: validation will say what is wrong with it
        return None
    return None


def _gen_time(token: cms.SignedData) -> datetime:
    info = token["encap_content_info"]["content"].parsed
    assert isinstance(info, tsp.TSTInfo)
    return info["gen_time"].native


def _signed_revinfo(sig: EmbeddedPdfSignature) -> tuple[list, list]:
    for attr in sig.signer_info["signed_attrs"]:
        if attr["type"].native == "adobe_revocation_info_archival":
            archival = attr["values"][0]
            return list(archival["ocsp"] or []), list(archival["crl"] or [])
    return [], []


def _container_anomaly(pdf: bytes, sig: EmbeddedPdfSignature, status) -> str | None:
    try:
        return _unsigned_bytes_changed(pdf, sig, status)
    except Exception as e:  # pyHanko parsed the CMS already; a failure here is still an answer
        return f"the signature value cannot be inspected: {type(e).__name__}: {e}"


def _unsigned_bytes_changed(pdf: bytes, sig: EmbeddedPdfSignature, status) -> str | None:
    """Check the bytes no signature covers and pyHanko does not look at.

    /Contents lies outside /ByteRange: its hex spelling, the zero padding after the CMS value,
    the outer list of digest algorithms, the SignerInfo version, unsigned attributes and the
    certificates carried along could change without a signature check noticing. They change
    nothing that was signed, but the design wants any changed byte to be detected.
    """
    byte_range = sig.sig_object["/ByteRange"]
    start, length, end = int(byte_range[0]), int(byte_range[1]), int(byte_range[2])
    if not _HEX_CONTENTS.fullmatch(pdf[start + length : end]):
        return "the hex spelling of the signature value was changed"
    contents = bytes(sig.pkcs7_content)
    used = len(cms.ContentInfo.load(contents, strict=False).dump())  # original bytes, as read
    if contents[used:].strip(b"\x00"):
        return "the padding after the signature value was changed"
    is_token = isinstance(status, DocumentTimestampStatus)
    tokens = [] if is_token else list(extract_tst_data_iter(sig.signer_info, signed=False))
    if problem := _signed_data_changed(sig.signed_data, token=is_token):
        return problem
    for token in tokens:
        if problem := _signed_data_changed(token, token=True):
            return problem
    on_paths = {c.dump() for c in _path_certs(status.validation_path)}
    ts = getattr(status, "timestamp_validity", None)
    if ts is not None:
        on_paths |= {c.dump() for c in _path_certs(ts.validation_path)}
    for signed_data in [sig.signed_data, *tokens]:
        for choice in signed_data["certificates"] or []:
            if choice.name != "certificate" or choice.chosen.dump() not in on_paths:
                return "a certificate carried in the signature is not on its validated chain"
    return None


def _signed_data_changed(signed_data: cms.SignedData, *, token: bool) -> str | None:
    outer = {alg["algorithm"].native for alg in signed_data["digest_algorithms"]}
    for info in signed_data["signer_infos"]:
        if info["digest_algorithm"]["algorithm"].native not in outer:
            return "the signature's list of digest algorithms was changed"
        expected = "v1" if info["sid"].name == "issuer_and_serial_number" else "v3"
        if info["version"].native != expected:
            return "the signature's SignerInfo version was changed"
        unsigned = [a["type"].native for a in info["unsigned_attrs"] or []]
        allowed = [] if token else ["signature_time_stamp_token"]
        if any(name not in allowed for name in unsigned):
            return "the signature carries unsigned data that cannot be verified"
    return None


def _path_certs(path) -> list[asn1_x509.Certificate]:
    return list(path.iter_certs(include_root=True)) if path is not None else []


def _root_name(path) -> str | None:
    certs = _path_certs(path)
    return certs[0].subject.human_friendly if certs else None


def _trust_problem(status: SignatureStatus) -> str:
    if status.trust_problem_indic is not None:
        return status.trust_problem_indic.name.lower()
    return "no path to a trust root"


def _field_name(sig: EmbeddedPdfSignature) -> str:
    try:
        return str(sig.field_name)
    except Exception:  # a field without /T; the report still needs a label
        return "?"


def _failed(error: str) -> VerificationReport:
    return VerificationReport(valid=False, signatures=[], problems=[error], error=error)
