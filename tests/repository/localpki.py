"""A complete local PKI for the signing tests, served over HTTP on 127.0.0.1.

Certomancer builds it from one declarative description (below): a root and an issuing CA, the
clerk, agency-seal, revoked and HSM signers, a time-stamping authority, an OCSP responder and
CRLs; its Animator (a WSGI app) serves the TSA, OCSP and CRL endpoints. A second, unrelated root
("rogue") issues a signer that no HoSo deployment trusts. Keys are generated afresh for every
test session, so nothing secret is committed.
"""

from __future__ import annotations

import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import ocsp, pem
from asn1crypto import x509 as asn1_x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, ServiceLabel
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server

ARCH = "hoso-test"
ROGUE_ARCH = "rogue"
PASSPHRASE = "hoso-test-passphrase"

ROOT_NAME = "HoSo Test Root CA"
CLERK_NAME = "NGUYỄN VĂN AN"
AGENCY_NAME = "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM"
REVOKED_NAME = "TRẦN THỊ BÌNH"
HSM_NAME = "LÊ VĂN CƯỜNG"

_VALIDITY = {"valid-from": "2024-01-01T00:00:00+0000", "valid-to": "2054-01-01T00:00:00+0000"}
_REVOKED_SINCE = "2025-01-01T00:00:00+0000"  # before any test runs: signing with it is too late
_KEYS = ("root", "interm", "ocsp", "tsa", "clerk", "agency", "revoked", "hsm-clerk",
         "rogue-root", "rogue-signer")


def _ca(issuer: str, crl_repo: str | None) -> dict:
    extensions = [
        {"id": "basic_constraints", "critical": True,
         "value": {"ca": True} if crl_repo is None else {"ca": True, "path_len_constraint": 0}},
        {"id": "key_usage", "critical": True,
         "smart-value": {"schema": "key-usage", "params": ["key_cert_sign", "crl_sign"]}},
    ]
    if crl_repo is not None:
        extensions.append({"id": "crl_distribution_points",
                           "smart-value": {"schema": "crl-dist-url",
                                           "params": {"crl-repo-names": [crl_repo]}}})
    return {"issuer": issuer, "validity": _VALIDITY, "extensions": extensions}


def _end_entity(extra: list[dict], *, revocation: bool = True) -> dict:
    extensions = list(extra)
    if revocation:  # where a validator finds this certificate's status: OCSP first, then CRL
        extensions += [
            {"id": "authority_information_access",
             "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}}},
            {"id": "crl_distribution_points",
             "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}}},
        ]
    return {"issuer": "interm", "validity": _VALIDITY, "extensions": extensions}


_SIGNER_USAGE = {"id": "key_usage", "critical": True,
                 "smart-value": {"schema": "key-usage",
                                 "params": ["digital_signature", "non_repudiation"]}}


def _config(keys_dir: Path) -> dict:
    signer = _end_entity([_SIGNER_USAGE])
    return {
        "keysets": {"hoso": {"path-prefix": str(keys_dir),
                             "keys": {k: {"path": f"{k}.key.pem"} for k in _KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": "hoso",
                "entity-defaults": {"country-name": "VN", "organization-name": "HoSo test PKI"},
                "entities": {
                    "root": {"common-name": ROOT_NAME},
                    "interm": {"common-name": "HoSo Test Issuing CA"},
                    "ocsp": {"common-name": "HoSo Test OCSP Responder"},
                    "tsa": {"common-name": "HoSo Test Time-Stamping Authority"},
                    "clerk": {"common-name": CLERK_NAME},
                    "agency": {"common-name": AGENCY_NAME},
                    "revoked": {"common-name": REVOKED_NAME},
                    "hsm-clerk": {"common-name": HSM_NAME},
                },
                "certs": {
                    "root": _ca("root", None),
                    "interm": _ca("root", "root"),
                    "ocsp": _end_entity([
                        {"id": "key_usage", "critical": True,
                         "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                        {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                        {"id": "ocsp_no_check"},
                    ], revocation=False),
                    "tsa": _end_entity([
                        {"id": "key_usage", "critical": True,
                         "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                        {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                    ]),
                    "clerk": signer,
                    "agency": signer,
                    "revoked": {**signer, "revocation": {"revoked-since": _REVOKED_SINCE,
                                                         "reason": "key_compromise"}},
                    "hsm-clerk": signer,
                },
                "services": {
                    "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp",
                                        "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root",
                                 "simulated-update-schedule": "P30D"},
                        "interm": {"for-issuer": "interm", "signing-key": "interm",
                                   "simulated-update-schedule": "P7D"},
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            },
            ROGUE_ARCH: {
                "keyset": "hoso",
                "entity-defaults": {"country-name": "VN", "organization-name": "Rogue CA"},
                "entities": {"rogue-root": {"common-name": "Rogue Root CA"},
                             "rogue-signer": {"common-name": "KẺ MẠO DANH"}},
                "certs": {
                    "rogue-root": _ca("rogue-root", None),
                    "rogue-signer": {"issuer": "rogue-root", "validity": _VALIDITY,
                                     "extensions": [_SIGNER_USAGE]},
                },
            },
        },
    }


@dataclass(frozen=True)
class Identity:
    pkcs12: Path
    certificate: asn1_x509.Certificate
    key_pem: Path  # the private key, for loading it into a token


@dataclass(frozen=True)
class LocalPki:
    url: str  # http://127.0.0.1:PORT
    root_pem: Path
    rogue_root_pem: Path
    tsa_url: str
    ocsp_url: str
    identities: dict[str, Identity]
    root: asn1_x509.Certificate
    interm: asn1_x509.Certificate

    def identity(self, label: str) -> Identity:
        return self.identities[label]


class _Deferred:
    """The server needs the app and the app needs the server's port: bind first, attach later."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class PkiServer:
    """Certomancer's Animator on a free loopback port, in a thread of the test process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._deferred = _Deferred()
        self._server = make_server("127.0.0.1", 0, self._deferred, threaded=True)
        self._thread: threading.Thread | None = None

    def start(self) -> LocalPki:
        url = f"http://127.0.0.1:{self._server.server_port}"
        keys_dir = self.directory / "keys"
        keys_dir.mkdir(parents=True, exist_ok=True)
        for label in _KEYS:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            (keys_dir / f"{label}.key.pem").write_bytes(pem)
        config = CertomancerConfig(_config(keys_dir), key_search_dir=str(keys_dir),
                                   external_url_prefix=url)
        self._deferred.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="certomancer-animator")
        self._thread.start()
        return self._describe(config, url, keys_dir)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _describe(self, config: CertomancerConfig, url: str, keys_dir: Path) -> LocalPki:
        arch = config.get_pki_arch(ArchLabel(ARCH))
        rogue = config.get_pki_arch(ArchLabel(ROGUE_ARCH))
        identities = {}
        for pki, label in [(arch, "clerk"), (arch, "agency"), (arch, "revoked"),
                           (arch, "hsm-clerk"), (rogue, "rogue-signer")]:
            p12 = self.directory / f"{label}.p12"
            p12.write_bytes(pki.package_pkcs12(CertLabel(label), password=PASSPHRASE.encode()))
            identities[label] = Identity(p12, pki.get_cert(CertLabel(label)),
                                         keys_dir / f"{label}.key.pem")
        root_pem = self.directory / "root.pem"
        rogue_root_pem = self.directory / "rogue-root.pem"
        _write_pem(root_pem, arch.get_cert(CertLabel("root")))
        _write_pem(rogue_root_pem, rogue.get_cert(CertLabel("rogue-root")))
        return LocalPki(
            url=url,
            root_pem=root_pem,
            rogue_root_pem=rogue_root_pem,
            tsa_url=arch.service_registry.get_tsa_info(ServiceLabel("tsa")).url,
            ocsp_url=arch.service_registry.get_ocsp_info(ServiceLabel("interm")).url,
            identities=identities,
            root=arch.get_cert(CertLabel("root")),
            interm=arch.get_cert(CertLabel("interm")),
        )


def _write_pem(path: Path, cert: asn1_x509.Certificate) -> None:
    path.write_bytes(pem.armor("CERTIFICATE", cert.dump()))


def fetch_ocsp(url: str, cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate) -> bytes:
    """Ask the OCSP responder about `cert`, as a validator would; the DER response."""
    request = ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha1"},
        "issuer_name_hash": issuer.subject.sha1,
        "issuer_key_hash": issuer.public_key.sha1,
        "serial_number": cert.serial_number,
    }}]}})
    post = urllib.request.Request(url, data=request.dump(),
                                  headers={"Content-Type": "application/ocsp-request"})
    with urllib.request.urlopen(post, timeout=10) as response:
        return response.read()
