"""PAdES signing of archival copies with pyHanko.

The signer is built inside each worker process from `SigningOptions` (plain data that crosses a
process boundary) and kept for the life of the process; it is never pickled. Without a key
configured, a development identity is created in the keys directory and every signature it
makes says so in the signer's name.

Levels (ETSI EN 319 142-1): B-B is the signature alone; B-T adds an RFC 3161 timestamp from the
configured TSA; B-LT puts the certificates and OCSP/CRL answers a validator needs into the
document security store (DSS) in the signed revision itself, so the signature covers them;
B-LTA adds a document timestamp over all of it. The clerk's signature comes first; an agency
seal (its own key) is a second signature after it, and the document timestamp comes once, after
the last signature. Either way the last revision covers the whole file: no byte is left that
nothing signed. A PKCS#11 key is opened by the process that signs, at its first use.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from collections.abc import Callable
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pydantic import BaseModel, Field
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, validation
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    SigDSSPlacementPreference,
    TimestampDSSContentSettings,
)
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from . import archival
from . import _stamp
from ._devpki import ensure_dev_identity
from .errors import SigningError

FIELD_PREFIX = "HoSoSignature"
TIMESTAMP_PREFIX = "HoSoTimestamp"
SIGNATURE_ROOM = 16_384  # bytes for the CMS container: a B-B signature with its chain is ~3 KB
# A signature timestamp adds the TSA's token and certificates (~3-5 KB).
TIMESTAMPED_SIGNATURE_ROOM = 24_576
DEFAULT_STAMP_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")  # no daylight saving time


class SignatureLevel(StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class KeyOptions(BaseModel):
    """Where one signing key lives: a PKCS#12 file, or a key on a PKCS#11 token."""

    pkcs12_path: Path | None = None
    pkcs12_passphrase: str | None = None
    pkcs11_module: Path | None = None  # the token's PKCS#11 library (.so)
    pkcs11_token: str | None = None  # token label; the first token with the key when unset
    pkcs11_pin: str | None = None
    pkcs11_key_label: str | None = None
    pkcs11_cert_label: str | None = None  # the key label when unset
    chain: list[Path] = []  # intermediate CA certificates, when the key store lacks them

    @property
    def configured(self) -> bool:
        return self.pkcs12_path is not None or self.pkcs11_module is not None


class SigningOptions(KeyOptions):
    """The clerk's key (inherited fields), what signatures are verified against, and how much
    evidence each archival copy carries."""

    trust_roots: list[Path] = []
    level: SignatureLevel = SignatureLevel.B_B
    tsa_url: str | None = None  # RFC 3161 timestamp authority, required from B-T up
    tsa_username: str | None = None
    tsa_password: str | None = None
    network_timeout: float = Field(default=10.0, gt=0)  # seconds per TSA/OCSP/CRL request
    # Visible stamp (signer, time) at the top left of page 1 for the clerk, top right for the
    # seal (Circulars 01/2023/TT-VPCP and 01/2019/TT-BNV): on, as the circulars ask.
    stamp: bool = True
    stamp_font: Path = DEFAULT_STAMP_FONT  # needs Vietnamese glyphs
    seal: KeyOptions | None = None  # the agency's seal key: a second signature when set


class _Role(NamedTuple):
    """What differs between the clerk's signature and the agency seal's."""

    stamp_text: str
    corner: str


_CLERK = _Role(_stamp.CLERK_TEXT, "left")
_SEAL = _Role(_stamp.SEAL_TEXT, "right")
# DSS data goes into the signed revision (covered by the signature), and for a document
# timestamp before it is taken: the file never ends with bytes that nothing signed.
_DSS_SETTINGS = DSSContentSettings(
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
    include_vri=False,
    next_ts_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
)


class TokenKey:
    """A key on a PKCS#11 token, opened where it is first used. The API process builds a
    signer only to read the trust roots; a token session must not be inherited by forked
    workers, and many USB tokens allow one session at a time."""

    def __init__(self, open_key: Callable[[], signers.Signer]) -> None:
        self._open = open_key
        self._signer: signers.Signer | None = None

    def get(self) -> signers.Signer:
        if self._signer is None:
            self._signer = self._open()
        return self._signer


class ArchivalSigner:
    """One signing key (and optionally the agency seal's), and the trust roots its signatures
    are verified against."""

    def __init__(
        self,
        signer: signers.Signer | TokenKey,
        trust_roots: list[asn1_x509.Certificate],
        *,
        development: bool,
        options: SigningOptions | None = None,
        seal: signers.Signer | TokenKey | None = None,
    ) -> None:
        self._key = signer
        self._trust_roots = list(trust_roots)
        self._development = development
        self._options = options or SigningOptions()
        self._seal_key = seal

    @property
    def _signer(self) -> signers.Signer:
        return self._key.get() if isinstance(self._key, TokenKey) else self._key

    @property
    def _seal(self) -> signers.Signer | None:
        key = self._seal_key
        return key.get() if isinstance(key, TokenKey) else key

    @property
    def subject(self) -> str:
        return self._signer.signing_cert.subject.human_friendly

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._signer.signing_cert

    @property
    def seal_subject(self) -> str | None:
        seal = self._seal
        return seal.signing_cert.subject.human_friendly if seal is not None else None

    @property
    def development(self) -> bool:
        return self._development

    @property
    def level(self) -> SignatureLevel:
        return self._options.level

    @property
    def trust_roots(self) -> list[asn1_x509.Certificate]:
        return list(self._trust_roots)

    def seal(self, data: bytes) -> bytes:
        """A detached CMS signature of ``data`` by this key (the audit log's checkpoints)."""
        try:
            signed = asyncio.run(self._signer.async_sign_general_data(data, "sha256", detached=True))
        except Exception as e:  # noqa: BLE001 - token and crypto errors alike
            raise SigningError(f"cannot seal: {type(e).__name__}: {e}") from e
        return signed.dump()

    def check(self, data: bytes, seal: bytes) -> str | None:
        """None when ``seal`` is an intact signature of ``data`` chaining to a trust root, else why not."""
        try:
            content = cms.ContentInfo.load(seal)
            status = asyncio.run(validation.async_validate_detached_cms(
                data, content["content"], signer_validation_context=ValidationContext(trust_roots=self._trust_roots)))
        except Exception as e:  # noqa: BLE001 - a damaged seal is an answer, not a crash
            return f"unreadable seal: {type(e).__name__}"
        if not status.intact:
            return "the sealed data was changed"
        if not status.valid:
            return "the seal's signature is not valid"
        if not status.trusted:
            return "the sealing certificate does not chain to a trust root"
        return None

    def sign(
        self, pdf: bytes, *, reason: str, location: str, signer_name: str | None = None
    ) -> bytes:
        """Sign `pdf` (PAdES at the configured level, SHA-256) in incremental updates; the input
        bytes stay as-is."""
        signed: list[bytes] = []

        async def into_list() -> None:
            # Not the task's result: in a process's main thread (a pool worker) asyncio.run puts
            # Ctrl-C's handler back at the end, and the signal module then builds, twice, an error
            # message holding the repr of the finished task, the whole signed PDF in it: some 18 ms
            # of CPU a signature, a quarter of signing a one-page document.
            signed.append(await self.async_sign(pdf, reason=reason, location=location, signer_name=signer_name))

        asyncio.run(into_list())
        return signed[0]

    async def async_sign(
        self, pdf: bytes, *, reason: str, location: str, signer_name: str | None = None
    ) -> bytes:
        """Same as `sign`, for callers already running an event loop (pyHanko is async inside)."""
        try:
            seal = self._seal
            signed = await self._sign_once(
                pdf, self._signer, _CLERK, reason=reason, location=location, name=signer_name,
                last=seal is None,
            )
            if seal is not None:
                signed = await self._sign_once(
                    signed, seal, _SEAL, reason=f"Đóng dấu cơ quan: {reason}",
                    location=location, name=None, last=True,
                )
            return signed
        except SigningError:
            raise
        # pyHanko's parser raises many exception types on malformed input (PdfReadError,
        # KeyError, TypeError...), its network code others; whatever the cause, the caller
        # only needs "signing failed".
        except Exception as e:
            raise SigningError(f"cannot sign the archival copy: {_reasons(e)}") from e

    async def _sign_once(
        self,
        pdf: bytes,
        key: signers.Signer,
        role: _Role,
        *,
        reason: str,
        location: str,
        name: str | None,
        last: bool,
    ) -> bytes:
        level = self._options.level
        long_term = level in (SignatureLevel.B_LT, SignatureLevel.B_LTA)
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        field_name = _next_field_name(writer)
        if self._options.stamp:  # pyHanko draws the stamp into the field's widget when signing
            box = _stamp.box(writer, role.corner)
            fields.append_signature_field(writer, fields.SigFieldSpec(field_name, box=box))
        else:  # pyHanko's own invisible field has no appearance: not PDF/A-1
            archival.add_signature_field(writer, field_name)
        archive = last and level == SignatureLevel.B_LTA
        timestamp_field = _next_field_name(writer, TIMESTAMP_PREFIX)
        if archive:  # the same for the document timestamp's field, which pyHanko then fills
            archival.add_signature_field(writer, timestamp_field)
        context = self._validation_context() if long_term else None
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
            name=name,
            embed_validation_info=long_term,
            use_pades_lta=archive,
            timestamp_field_name=timestamp_field,
            validation_context=context,
            # Checked when verifying (EN 319 142-1: non-repudiation or digital signature).
            signer_key_usage=set(),
            dss_settings=_DSS_SETTINGS,
        )
        style = None
        if self._options.stamp:
            style = _stamp.style(self._options.stamp_font, role.stamp_text)
        pdf_signer = signers.PdfSigner(
            meta, signer=key, timestamper=self._timestamper(), stamp_style=style
        )
        room = SIGNATURE_ROOM if level == SignatureLevel.B_B else TIMESTAMPED_SIGNATURE_ROOM
        signed_at = datetime.now(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M:%S (UTC+07:00)")
        try:
            # Reserving room for the signature skips pyHanko's trial signing to measure it.
            out = await pdf_signer.async_sign_pdf(
                writer, bytes_reserved=room, appearance_text_params={"signed_at": signed_at}
            )
        finally:
            if context is not None:
                await context.aclose()
        return out.getvalue()

    def _timestamper(self) -> HTTPTimeStamper | None:
        options = self._options
        if options.level == SignatureLevel.B_B:
            return None
        auth = None
        if options.tsa_username is not None:
            auth = (options.tsa_username, options.tsa_password or "")
        return HTTPTimeStamper(options.tsa_url, timeout=options.network_timeout, auth=auth)

    def _validation_context(self) -> ValidationContext:
        """Where B-LT finds what it embeds: the trust roots, and OCSP/CRL fetched now. Signing
        with a revoked certificate, or one that chains to no trust root, fails here."""
        backend = AIOHttpFetcherBackend(per_request_timeout=self._options.network_timeout)
        return ValidationContext(
            trust_roots=self._trust_roots,
            allow_fetching=True,
            revocation_mode="hard-fail",
            fetcher_backend=OwnedFetcherBackend(backend),
        )


def load_signer(options: SigningOptions, keys_dir: Path) -> ArchivalSigner:
    """Build the process's signer: the configured key (PKCS#12 or PKCS#11) and optional agency
    seal, or the development identity."""
    roots = _load_certs(options.trust_roots)
    if options.level != SignatureLevel.B_B and not options.tsa_url:
        raise SigningError(f"signature level {options.level} needs a timestamp authority (tsa_url)")
    seal = _load_key(options.seal) if options.seal is not None else None
    if not options.configured:
        identity = ensure_dev_identity(keys_dir)
        passphrase = _read(identity.passphrase_file).decode().strip()
        signer = _load_pkcs12(identity.pkcs12, passphrase)
        dev_roots = roots + _load_certs([identity.root_cert])
        return ArchivalSigner(signer, dev_roots, development=True, options=options, seal=seal)
    return ArchivalSigner(_load_key(options), roots, development=False, options=options, seal=seal)


def _load_key(options: KeyOptions) -> signers.Signer | TokenKey:
    chain = _load_certs(options.chain)
    if options.pkcs11_module is not None:
        from ._pkcs11 import check_token_options, open_token_signer

        check_token_options(options.pkcs11_module, options.pkcs11_key_label,
                            options.pkcs11_cert_label)
        return TokenKey(lambda: open_token_signer(
            options.pkcs11_module,
            token_label=options.pkcs11_token,
            pin=options.pkcs11_pin,
            key_label=options.pkcs11_key_label,
            cert_label=options.pkcs11_cert_label,
            chain=chain,
        ))
    if options.pkcs12_path is None:
        raise SigningError("a key needs pkcs12_path or pkcs11_module")
    signer = _load_pkcs12(options.pkcs12_path, options.pkcs12_passphrase)
    signer.cert_registry.register_multiple(chain)
    return signer


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature (about 30 ms);
    an archival signer signs every document with one key, so it keeps the parsed key."""

    @cached_property
    def _private_key(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return self._private_key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa":
            return self._private_key.sign(data, ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _load_pkcs12(path: Path, passphrase: str | None) -> signers.SimpleSigner:
    data = _read(path)
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as e:
        raise SigningError(
            f"cannot load the signing key from {path} (wrong passphrase?): {e}"
        ) from e
    signer = _KeptKeySigner(loaded.signing_cert, loaded.signing_key, loaded.cert_registry)
    # A root copy in the CMS is never used by a validator (it has its own trust list) and is
    # not covered by the signature, so it would be bytes that could change undetected.
    signer.embed_roots = False
    return signer


def _load_certs(paths: list[Path]) -> list[asn1_x509.Certificate]:
    try:
        return list(load_certs_from_pemder([str(p) for p in paths]))
    except (OSError, ValueError) as e:
        raise SigningError(f"cannot load certificates {paths}: {e}") from e


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SigningError(f"cannot read {path}: {e}") from e


def _next_field_name(writer: IncrementalPdfFileWriter, prefix: str = FIELD_PREFIX) -> str:
    """`HoSoSignature1`, or the next free number when the copy is signed again."""
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    n = 1
    while f"{prefix}{n}" in existing:
        n += 1
    return f"{prefix}{n}"


def _reasons(error: BaseException) -> str:
    """The error and its causes: pyHanko says "could not be validated", the cause says why
    (revoked, no path to a trust root, TSA unreachable)."""
    reasons = []
    while error is not None and len(reasons) < 4:
        reasons.append(f"{type(error).__name__}: {error}")
        error = error.__cause__ or error.__context__
    return " <- ".join(reasons)
