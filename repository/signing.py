"""PAdES signing of archival copies with pyHanko.

The signer is built inside each worker process from `SigningOptions` (plain data that crosses a
process boundary) and kept for the life of the process; it is never pickled. Without a PKCS#12
file configured, a development identity is created in the keys directory and every signature it
makes says so in the signer's name.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pydantic import BaseModel
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash

from ._devpki import ensure_dev_identity
from .errors import SigningError

FIELD_PREFIX = "HoSoSignature"
SIGNATURE_ROOM = 16_384  # bytes for the CMS container: a B-B signature with its chain is ~3 KB


class SigningOptions(BaseModel):
    pkcs12_path: Path | None = None
    pkcs12_passphrase: str | None = None
    trust_roots: list[Path] = []


class ArchivalSigner:
    """One signing key and the trust roots its signatures are verified against."""

    def __init__(
        self,
        signer: signers.SimpleSigner,
        trust_roots: list[asn1_x509.Certificate],
        *,
        development: bool,
    ) -> None:
        self._signer = signer
        self._trust_roots = list(trust_roots)
        self._development = development

    @property
    def subject(self) -> str:
        return self._signer.signing_cert.subject.human_friendly

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._signer.signing_cert

    @property
    def development(self) -> bool:
        return self._development

    @property
    def trust_roots(self) -> list[asn1_x509.Certificate]:
        return list(self._trust_roots)

    def sign(
        self, pdf: bytes, *, reason: str, location: str, signer_name: str | None = None
    ) -> bytes:
        """Sign `pdf` (PAdES B-B, SHA-256) in an incremental update; the input bytes stay as-is."""
        coro = self.async_sign(pdf, reason=reason, location=location, signer_name=signer_name)
        return asyncio.run(coro)

    async def async_sign(
        self, pdf: bytes, *, reason: str, location: str, signer_name: str | None = None
    ) -> bytes:
        """Same as `sign`, for callers already running an event loop (pyHanko is async inside)."""
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
            meta = signers.PdfSignatureMetadata(
                field_name=_next_field_name(writer),
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                reason=reason,
                location=location,
                name=signer_name,
            )
            pdf_signer = signers.PdfSigner(meta, signer=self._signer)
            # Reserving room for the signature skips pyHanko's trial signing to measure it.
            out = await pdf_signer.async_sign_pdf(writer, bytes_reserved=SIGNATURE_ROOM)
            return out.getvalue()
        # pyHanko's parser raises many exception types on malformed input (PdfReadError,
        # KeyError, TypeError...); whatever the cause, the caller only needs "signing failed".
        except Exception as e:
            raise SigningError(f"cannot sign the archival copy: {type(e).__name__}: {e}") from e


def load_signer(options: SigningOptions, keys_dir: Path) -> ArchivalSigner:
    """Build the process's signer: the configured PKCS#12, or the development identity."""
    roots = _load_certs(options.trust_roots)
    if options.pkcs12_path is None:
        identity = ensure_dev_identity(keys_dir)
        passphrase = _read(identity.passphrase_file).decode().strip()
        signer = _load_pkcs12(identity.pkcs12, passphrase)
        return ArchivalSigner(signer, roots + _load_certs([identity.root_cert]), development=True)
    signer = _load_pkcs12(options.pkcs12_path, options.pkcs12_passphrase)
    return ArchivalSigner(signer, roots, development=False)


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
        raise SigningError(f"cannot load trust root certificates {paths}: {e}") from e


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SigningError(f"cannot read {path}: {e}") from e


def _next_field_name(writer: IncrementalPdfFileWriter) -> str:
    """`HoSoSignature1`, or the next free number when the copy is signed again."""
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    n = 1
    while f"{FIELD_PREFIX}{n}" in existing:
        n += 1
    return f"{FIELD_PREFIX}{n}"
