"""Fixtures for the signing tests: a local PKI served on loopback, a SoftHSM2 token, and an
archival copy assembled from real pages."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

import softhsm
from localpki import LocalPki, PkiServer


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    """Root, issuing CA, clerk/agency/revoked/HSM/rogue signers, a TSA, an OCSP responder and
    CRLs, served by certomancer's Animator on a free port of 127.0.0.1 for the session."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per OCSP/TSA request
    server = PkiServer(tmp_path_factory.mktemp("pki"))
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def hsm(tmp_path_factory: pytest.TempPathFactory, pki: LocalPki) -> Iterator[softhsm.SoftHsm]:
    """A SoftHSM2 token holding the HSM clerk's key and certificate."""
    try:
        token = softhsm.SoftHsm(tmp_path_factory.mktemp("softhsm"))
    except softhsm.Unavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"SoftHSM2 is required in CI: {e}")
        pytest.skip(f"SoftHSM2 not available here: {e}")
    with pytest.MonkeyPatch.context() as patch:
        # Read by libsofthsm2 when the module is loaded, in this process and in softhsm2-util.
        patch.setenv("SOFTHSM2_CONF", str(token.conf))
        token.init_token()
        identity = pki.identity("hsm-clerk")
        token.import_key(identity.key_pem, softhsm.KEY_LABEL, softhsm.KEY_ID)
        cert = identity.certificate
        token.add_certificate(cert.dump(), cert.subject.dump(), softhsm.KEY_LABEL, softhsm.KEY_ID)
        yield token


@pytest.fixture(scope="session")
def archival_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An unsigned archival copy assembled the way the worker does: a scanned page (JPEG at
    200 dpi under an invisible text layer) and a born-digital page."""
    from fpdf import FPDF
    from fpdf.enums import TextMode
    from vnpages import FONTS, born_digital_pdf, render_page

    from repository import archival

    directory = tmp_path_factory.mktemp("pages")
    scan = render_page(dpi=200)
    jpeg = directory / "scan.jpg"
    scan.save(jpeg, "JPEG", quality=70, dpi=(200, 200))
    page = FPDF(unit="pt", format=(595.28, 841.89))
    page.add_page()
    page.image(str(jpeg), x=0, y=0, w=595.28, h=841.89)
    page.add_font("DejaVu", fname=str(FONTS["sans"]))
    page.set_font("DejaVu", size=12)
    page.text_mode = TextMode.INVISIBLE
    page.text(65, 80, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — 000.17.22.H56-210531-0001")
    scanned = directory / "scanned.pdf"
    page.output(str(scanned))
    typed = born_digital_pdf(directory / "typed.pdf")

    parts = [archival.PagePart(scanned), archival.PagePart(typed)]
    description = archival.Description(
        title="Tờ khai đăng ký khai sinh", dossier_code="000.17.22.H56-210531-0001",
        document_id="01HZX3K6T7N2W8Q4R5S6T7V8W9", agency_code="000.17.22.H56",
        doc_type="birth_certificate",
    )
    return archival.assemble(parts, description)

