"""PKCS#11 tokens (HSMs, USB tokens, SoftHSM) as signing keys, through pyHanko and python-pkcs11.

A token session is opened by the process that signs, at its first signature, and kept for the
life of the process (see signing.TokenKey): PKCS#11 sessions do not survive a fork.
"""

from __future__ import annotations

from pathlib import Path

from asn1crypto import x509 as asn1_x509

from .errors import SigningError


def check_token_options(module: Path, key_label: str | None, cert_label: str | None) -> None:
    """What can be checked without opening the token (that happens at the first signature)."""
    if not module.is_file():
        raise SigningError(f"the PKCS#11 module {module} does not exist")
    if key_label is None and cert_label is None:
        raise SigningError("a PKCS#11 key needs pkcs11_key_label (or pkcs11_cert_label)")


def open_token_signer(
    module: Path,
    *,
    token_label: str | None,
    pin: str | None,
    key_label: str | None,
    cert_label: str | None,
    chain: list[asn1_x509.Certificate],
):
    """A pyHanko signer for the key `key_label` (and its certificate) on a PKCS#11 token."""
    # Imported here: python-pkcs11 loads a native library, which a PKCS#12 deployment never needs.
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    check_token_options(module, key_label, cert_label)
    criteria = TokenCriteria(label=token_label) if token_label else None
    try:
        session = open_pkcs11_session(str(module), token_criteria=criteria, user_pin=pin)
        signer = PKCS11Signer(
            session,
            cert_label=cert_label or key_label,
            key_label=key_label or cert_label,
            ca_chain=chain,
            # A root copy in the CMS is never used by a validator and is not covered by the
            # signature (see signing._load_pkcs12).
            embed_roots=False,
        )
        # Find the key and certificate now, so a wrong label or PIN fails at start-up with a
        # clear message instead of at the first document.
        signer.signing_cert  # noqa: B018
    except (pkcs11.PKCS11Error, PyhankoSigningError, OSError, RuntimeError) as e:
        where = f"token {token_label!r}" if token_label else "the first token"
        raise SigningError(
            f"cannot use the PKCS#11 key {key_label or cert_label!r} on {where} "
            f"of {module}: {type(e).__name__}: {e}"
        ) from e
    return signer
