"""A SoftHSM2 token for the PKCS#11 signing tests, in a directory of its own.

SoftHSM2 (Debian package `softhsm2`) is a real PKCS#11 module: the signer talks to it exactly
as it would to a hardware security module or a USB token. SOFTHSM2_CONF must point at this
token's configuration before the module is first loaded in the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MODULE_CANDIDATES = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
)
TOKEN_LABEL = "hoso-test"
KEY_LABEL = "clerk-hsm"
KEY_ID = b"\x01"
USER_PIN = "246810"
SO_PIN = "13579111"


class Unavailable(Exception):
    pass


def find_module() -> Path:
    for candidate in MODULE_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise Unavailable("libsofthsm2.so not found: install the Debian package softhsm2")


class SoftHsm:
    def __init__(self, directory: Path) -> None:
        self.module = find_module()
        if shutil.which("softhsm2-util") is None:
            raise Unavailable("softhsm2-util not found: install the Debian package softhsm2")
        tokens = directory / "tokens"
        tokens.mkdir(parents=True, exist_ok=True)
        self.conf = directory / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )

    def _util(self, *args: str) -> None:
        env = {**os.environ, "SOFTHSM2_CONF": str(self.conf)}
        subprocess.run(["softhsm2-util", *args], env=env, check=True, capture_output=True,
                       text=True, timeout=60)

    def init_token(self) -> None:
        self._util("--init-token", "--free", "--label", TOKEN_LABEL,
                   "--pin", USER_PIN, "--so-pin", SO_PIN)

    def import_key(self, key_pem: Path, label: str, key_id: bytes) -> None:
        """Put a PKCS#8 key pair on the token (private key sensitive, never extractable)."""
        self._util("--import", str(key_pem), "--token", TOKEN_LABEL, "--label", label,
                   "--id", key_id.hex(), "--pin", USER_PIN)

    def add_certificate(self, der: bytes, subject_der: bytes, label: str, key_id: bytes) -> None:
        """Store the key's X.509 certificate next to it, as a CA's enrolment would."""
        import pkcs11
        from pkcs11 import Attribute, CertificateType, ObjectClass

        token = pkcs11.lib(str(self.module)).get_token(token_label=TOKEN_LABEL)
        with token.open(rw=True, user_pin=USER_PIN) as session:
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: key_id,
                Attribute.SUBJECT: subject_der,
                Attribute.VALUE: der,
            })

    def private_key_attributes(self, label: str) -> dict[str, bool]:
        import pkcs11
        from pkcs11 import Attribute, ObjectClass

        token = pkcs11.lib(str(self.module)).get_token(token_label=TOKEN_LABEL)
        with token.open(user_pin=USER_PIN) as session:
            [key] = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                              Attribute.LABEL: label}))
            return {"sensitive": key[Attribute.SENSITIVE],
                    "extractable": key[Attribute.EXTRACTABLE]}
