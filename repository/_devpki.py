"""A development PKI so that an embedded install can sign archival copies on first run.

The certificates say in their subject that they are for development only, so a copy signed
with them can never be mistaken for a legally valid one (verification reports it too).

Files in the keys directory (all mode 0600):
  dev-root.pem     the development root CA certificate (the trust root to verify against)
  dev-signer.p12   PKCS#12: signer key + certificate + root chain
  dev-signer.pass  the random passphrase of dev-signer.p12
Several worker processes may start at once: creation happens under an exclusive lock and every
file is written to a temp file, fsynced and renamed, so nobody ever reads a half-written key.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from .errors import SigningError

# X.509 caps a common name at 64 characters, so the warning is split between CN and OU.
DEV_MARKER = "FOR DEVELOPMENT ONLY"
_DEV_WARNING = "NOT VALID FOR LEGAL USE"
DEV_ORGANIZATION = "HoSo development"

ROOT_FILE = "dev-root.pem"
PKCS12_FILE = "dev-signer.p12"
PASSPHRASE_FILE = "dev-signer.pass"
_LOCK_FILE = ".dev-identity.lock"

_ROOT_VALIDITY = timedelta(days=10 * 365)
_SIGNER_VALIDITY = timedelta(days=5 * 365)
# Tolerate a signer whose clock is a little behind the one that created the certificate.
_BACKDATE = timedelta(hours=1)


@dataclass(frozen=True)
class DevIdentity:
    pkcs12: Path
    passphrase_file: Path
    root_cert: Path


def ensure_dev_identity(directory: Path) -> DevIdentity:
    """Return the development identity in `directory`, creating it on the first call."""
    identity = DevIdentity(
        pkcs12=directory / PKCS12_FILE,
        passphrase_file=directory / PASSPHRASE_FILE,
        root_cert=directory / ROOT_FILE,
    )
    try:
        if _complete(identity):  # fast path: no lock once created
            return identity
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _exclusive_lock(directory / _LOCK_FILE):
            # Another process may have created it while we waited for the lock.
            if not _complete(identity):
                _create(identity)
    except OSError as e:
        raise SigningError(
            f"cannot create the development signing identity in {directory}: {e}"
        ) from e
    return identity


def _complete(identity: DevIdentity) -> bool:
    # The root is written last, so its presence means the other two are there and consistent.
    paths = (identity.root_cert, identity.pkcs12, identity.passphrase_file)
    return all(p.is_file() for p in paths)


def _create(identity: DevIdentity) -> None:
    now = datetime.now(timezone.utc) - _BACKDATE
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_cert = _root_certificate(root_key, now)
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = _signer_certificate(signer_key, root_cert, root_key, now)

    passphrase = secrets.token_urlsafe(32)
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"HoSo development signer",
        key=signer_key,
        cert=signer_cert,
        cas=[root_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    # The root key is deliberately not kept: nothing else should ever be issued by this root.
    _atomic_write(identity.passphrase_file, passphrase.encode())
    _atomic_write(identity.pkcs12, p12)
    _atomic_write(identity.root_cert, root_cert.public_bytes(serialization.Encoding.PEM))


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _DEV_WARNING),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        ]
    )


def _root_certificate(key: rsa.RSAPrivateKey, not_before: datetime) -> x509.Certificate:
    name = _name(f"HoSo development root CA ({DEV_MARKER})")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + _ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _signer_certificate(
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(f"HoSo development signer ({DEV_MARKER})"))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + _SIGNER_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _atomic_write(target: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
