"""PAdES levels B-B to B-LTA against a real local PKI (certomancer on loopback: TSA, OCSP, CRLs),
keys from PKCS#12 files and from a SoftHSM2 token, checked by verify_pdf and by poppler's pdfsig."""

from __future__ import annotations

import random
import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import ocsp, pem
from localpki import (
    AGENCY_NAME,
    CLERK_NAME,
    HSM_NAME,
    PASSPHRASE,
    REVOKED_NAME,
    ROOT_NAME,
    LocalPki,
    fetch_ocsp,
)
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.validation.dss import DocumentSecurityStore
from softhsm import KEY_LABEL, TOKEN_LABEL, USER_PIN

from repository.errors import SigningError
from repository.signing import ArchivalSigner, KeyOptions, SigningOptions, load_signer
from repository.verification import VerificationReport, verify_pdf

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]
REASON = "Số hóa hồ sơ 000.17.22.H56-210531-0001"


def options(pki: LocalPki, level: str, *, identity: str = "clerk",
            seal: bool = True) -> SigningOptions:
    key = pki.identity(identity)
    agency = pki.identity("agency")
    return SigningOptions(
        pkcs12_path=key.pkcs12,
        pkcs12_passphrase=PASSPHRASE,
        trust_roots=[pki.root_pem],
        level=level,
        tsa_url=pki.tsa_url,
        stamp=True,
        seal=KeyOptions(pkcs12_path=agency.pkcs12, pkcs12_passphrase=PASSPHRASE) if seal else None,
    )


def sign(signer: ArchivalSigner, pdf: bytes) -> bytes:
    return signer.sign(pdf, reason=REASON, location="Hà Nội")


def pdfsig_blocks(pdf: bytes, tmp_path: Path) -> list[str]:
    """pdfsig's report, one text block per signature or document timestamp."""
    path = tmp_path / "archival.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout.split("Signature #")[1:]


@pytest.fixture(scope="module")
def roots(pki: LocalPki) -> list:
    return list(load_certs_from_pemder([str(pki.root_pem)]))


@pytest.fixture(scope="module")
def signed(pki: LocalPki, archival_pdf: bytes, tmp_path_factory) -> dict[str, bytes]:
    """The archival copy signed by the clerk and sealed by the agency, at each level."""
    keys = tmp_path_factory.mktemp("keys")
    return {level: sign(load_signer(options(pki, level), keys), archival_pdf) for level in LEVELS}


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_is_reached_and_reported(
    level: str, signed: dict[str, bytes], roots: list, archival_pdf: bytes
) -> None:
    pdf = signed[level]
    assert pdf.startswith(archival_pdf)  # incremental updates only: the assembled bytes stay
    report = verify_pdf(pdf, roots)
    assert report.valid, report.error
    assert not report.development_signer
    clerk, seal = report.signatures
    assert (clerk.field, seal.field) == ("HoSoSignature1", "HoSoSignature2")
    assert CLERK_NAME in clerk.signer and AGENCY_NAME in seal.signer
    for sig in (clerk, seal):
        assert sig.level == level, sig
        assert sig.intact and sig.valid and sig.trusted
        assert sig.trust_root is not None and ROOT_NAME in sig.trust_root
        assert sig.chain[-1] == sig.trust_root and sig.chain[0] == sig.signer
        assert sig.signing_time is not None
        if level == "B-B":
            assert sig.timestamp_time is None
        else:  # the TSA's time, not the signer's clock
            assert sig.timestamp_time is not None
            assert "Time-Stamping Authority" in sig.timestamp_authority
            assert abs((sig.timestamp_time - sig.signing_time).total_seconds()) < 120
        # Revocation data is in the file from B-LT up; before that nothing was asked.
        assert sig.revocation == ("good" if level in ("B-LT", "B-LTA") else "unknown")
        assert sig.revoked is (False if level in ("B-LT", "B-LTA") else None)
    assert seal.covers_whole_document == (level != "B-LTA")
    assert not seal.modified_after_signing or level == "B-LTA"
    assert clerk.modified_after_signing  # the seal came after it
    if level == "B-LTA":
        [stamp] = report.timestamps
        assert stamp.valid and stamp.trusted and stamp.covers_whole_document
        assert stamp.field == "HoSoTimestamp1"
    else:
        assert report.timestamps == []


@pytest.mark.parametrize("level", LEVELS)
def test_pdfsig_says_every_signature_is_valid(
    level: str, signed: dict[str, bytes], tmp_path: Path
) -> None:
    blocks = pdfsig_blocks(signed[level], tmp_path)
    signatures = [b for b in blocks if "HoSoSignature" in b]
    assert len(signatures) == 2, blocks
    for block in signatures:
        assert "Signature Validation: Signature is Valid." in block, block
        assert "ETSI.CAdES.detached" in block
    # The last revision (the seal, or the document timestamp) covers the whole file.
    last = "HoSoTimestamp1" if level == "B-LTA" else "HoSoSignature2"
    [block] = [b for b in blocks if f"Field Name: {last}\n" in b]
    assert "Total document signed" in block, block


def test_stamps_at_the_top_corners_of_page_one(signed: dict[str, bytes]) -> None:
    with pikepdf.open(BytesIO(signed["B-T"])) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        widgets = {str(a.T): a for a in page.Annots if a.get("/FT") == pikepdf.Name.Sig}
        left, right = widgets["HoSoSignature1"], widgets["HoSoSignature2"]
        lx0, ly0, lx1, ly1 = (float(v) for v in left.Rect)
        rx0, ry0, rx1, ry1 = (float(v) for v in right.Rect)
        assert lx0 - x0 < 40 and y1 - ly1 < 40  # top left: the clerk (Circular 01/2023/TT-VPCP)
        assert x1 - rx1 < 40 and y1 - ry1 < 40  # top right: the agency seal (01/2019/TT-BNV)
        assert lx1 < rx0
        for widget, name in ((left, CLERK_NAME), (right, AGENCY_NAME)):
            appearance = widget.AP.N.read_bytes()
            # The text is drawn with an embedded font; /ActualText carries it as UTF-16.
            assert name.encode("utf-16-be") in _unescape(appearance)
            assert "Thời gian ký".encode("utf-16-be") in _unescape(appearance)
            font = widget.AP.N.Resources.Font
            descendant = font[list(font.keys())[0]].DescendantFonts[0]
            assert "/FontFile2" in descendant.FontDescriptor  # embedded, as PDF/A wants


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_stamp_goes_to_the_top_as_the_page_is_shown(rotate: int) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from repository import _stamp

    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595, 842))
    doc.pages[0].Rotate = rotate
    out = BytesIO()
    doc.save(out)
    writer = IncrementalPdfFileWriter(BytesIO(out.getvalue()))
    shown_width, shown_height = (595, 842) if rotate in (0, 180) else (842, 595)

    def shown(x: float, y: float) -> tuple[float, float]:
        """User space to the page as displayed (origin at the top left, y downwards)."""
        return {0: (x, 842 - y), 90: (y, x), 180: (595 - x, y), 270: (842 - y, 595 - x)}[rotate]

    for corner in ("left", "right"):
        x0, y0, x1, y1 = _stamp.box(writer, corner)
        u, v = shown((x0 + x1) / 2, (y0 + y1) / 2)
        assert v < shown_height / 8
        assert (u < shown_width / 3) if corner == "left" else (u > shown_width * 2 / 3)


def test_stamped_long_term_copies_stay_pdfa(pki: LocalPki, roots: list, tmp_path: Path) -> None:
    """Stamps (embedded font, /CIDSet), DSS and document timestamp keep PDF/A-1b and -2b."""
    import os

    from fpdf import FPDF
    from services import verapdf
    from vnpages import render_page

    from repository import archival

    scan = tmp_path / "scan.jpg"
    render_page(dpi=100).save(scan, "JPEG", quality=60)
    page = FPDF(unit="pt", format=(595.28, 841.89))
    page.add_page()
    page.image(str(scan), x=0, y=0, w=595.28, h=841.89)
    page.output(str(tmp_path / "scan.pdf"))
    description = archival.Description(
        title="Giấy khai sinh", dossier_code="000.17.22.H56-210531-0001",
        document_id="01JD6Q3W8C0YV5QK1N2M3P4R5S", agency_code="000.17.22.H56", doc_type="other")
    jobs = []
    for flavour in ("1b", "2b"):
        unsigned = archival.assemble([archival.PagePart(tmp_path / "scan.pdf")], description,
                                     flavour=flavour)
        pdf = sign(load_signer(options(pki, "B-LTA"), tmp_path / "keys"), unsigned)
        assert verify_pdf(pdf, roots).valid
        path = tmp_path / f"{flavour}.pdf"
        path.write_bytes(pdf)
        jobs.append((path, flavour))
    try:
        results = verapdf.validate(jobs)
    except verapdf.ServiceUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"veraPDF is required in CI: {e.reason}")
        pytest.skip(f"veraPDF not available here: {e.reason}")
    for result in results:
        assert result.compliant, result.summary()


def _unescape(content: bytes) -> bytes:
    """The bytes of the literal strings in a content stream, escapes resolved."""
    out, i = bytearray(), 0
    while i < len(content):
        c = content[i]
        if c == 0x5C and i + 1 < len(content):  # backslash
            nxt = content[i + 1 : i + 4]
            if nxt[:1].isdigit():
                digits = bytes(b for b in nxt if 0x30 <= b <= 0x37)[:3]
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
                continue
            out.append({0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09}.get(content[i + 1], content[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def test_long_term_copy_verifies_from_the_file_alone(
    pki: LocalPki, signed: dict[str, bytes], roots: list
) -> None:
    # Everything B-LT needs is inside: the same answer with and without network access.
    offline = verify_pdf(signed["B-LT"], roots)
    online = verify_pdf(signed["B-LT"], roots, allow_fetching=True)
    assert [s.revocation for s in offline.signatures] == ["good", "good"]
    assert [s.revocation for s in online.signatures] == ["good", "good"]
    with pikepdf.open(BytesIO(signed["B-LT"])) as pdf:
        dss = pdf.Root.DSS
        assert len(dss.Certs) >= 3 and len(dss.OCSPs) >= 2 and len(dss.CRLs) >= 1


def test_timestamped_copy_fetches_revocation_only_when_allowed(
    signed: dict[str, bytes], roots: list
) -> None:
    online = verify_pdf(signed["B-T"], roots, allow_fetching=True)
    assert online.valid, online.error
    assert [s.revocation for s in online.signatures] == ["good", "good"]
    assert [s.level for s in online.signatures] == ["B-T", "B-T"]  # the file alone is still B-T


def test_softhsm_token_signs(hsm, pki: LocalPki, archival_pdf: bytes, roots: list,
                             tmp_path: Path) -> None:
    assert hsm.private_key_attributes(KEY_LABEL) == {"sensitive": True, "extractable": False}
    chain = tmp_path / "issuing-ca.pem"
    chain.write_bytes(pem.armor("CERTIFICATE", pki.interm.dump()))
    hsm_options = SigningOptions(
        pkcs11_module=hsm.module, pkcs11_token=TOKEN_LABEL, pkcs11_pin=USER_PIN,
        pkcs11_key_label=KEY_LABEL, chain=[chain], trust_roots=[pki.root_pem],
        level="B-LT", tsa_url=pki.tsa_url, stamp=True,
    )
    signer = load_signer(hsm_options, tmp_path / "unused")
    assert not signer.development and HSM_NAME in signer.subject
    pdf = sign(signer, archival_pdf)
    report = verify_pdf(pdf, roots)
    assert report.valid, report.error
    [sig] = report.signatures
    assert HSM_NAME in sig.signer and sig.level == "B-LT" and sig.revocation == "good"
    assert "Signature is Valid." in pdfsig_blocks(pdf, tmp_path)[0]


def test_softhsm_wrong_pin_or_label_is_a_signing_error(hsm, pki: LocalPki, tmp_path: Path) -> None:
    base = {"pkcs11_module": hsm.module, "pkcs11_token": TOKEN_LABEL, "trust_roots": [pki.root_pem]}
    # The token is opened by the process that signs, at first use, not by load_signer: the API
    # process only reads the trust roots.
    wrong_pin = load_signer(
        SigningOptions(**base, pkcs11_pin="000000", pkcs11_key_label=KEY_LABEL), tmp_path)
    assert wrong_pin.trust_roots
    with pytest.raises(SigningError, match="PKCS#11"):
        wrong_pin.subject  # noqa: B018
    no_key = load_signer(
        SigningOptions(**base, pkcs11_pin=USER_PIN, pkcs11_key_label="no-such-key"), tmp_path)
    with pytest.raises(SigningError, match="no-such-key"):
        no_key.sign(b"%PDF-1.7", reason="r", location="l")
    with pytest.raises(SigningError, match="does not exist"):
        load_signer(SigningOptions(pkcs11_module=tmp_path / "missing.so",
                                   pkcs11_key_label=KEY_LABEL), tmp_path)


def test_revoked_signer_cannot_make_a_long_term_signature(
    pki: LocalPki, archival_pdf: bytes, tmp_path: Path
) -> None:
    signer = load_signer(options(pki, "B-LT", identity="revoked", seal=False), tmp_path)
    with pytest.raises(SigningError, match="revoked"):
        sign(signer, archival_pdf)


@pytest.fixture(scope="module")
def revoked_signed(pki: LocalPki, archival_pdf: bytes, tmp_path_factory) -> bytes:
    keys = tmp_path_factory.mktemp("keys")
    signer = load_signer(options(pki, "B-T", identity="revoked", seal=False), keys)
    return sign(signer, archival_pdf)


def test_revoked_signer_is_reported_when_revocation_is_checked(
    revoked_signed: bytes, roots: list
) -> None:
    offline = verify_pdf(revoked_signed, roots)
    [sig] = offline.signatures
    assert REVOKED_NAME in sig.signer
    assert sig.revocation == "unknown"  # a B-T file holds no revocation data
    assert "revocation status unknown" in sig.summary

    online = verify_pdf(revoked_signed, roots, allow_fetching=True)
    assert not online.valid
    [sig] = online.signatures
    assert sig.revocation == "revoked" and sig.revoked is True
    assert not sig.valid and (sig.indication, sig.sub_indication) == ("INDETERMINATE", "REVOKED_NO_POE")
    assert not sig.trusted
    assert "revoked" in sig.summary and "revoked" in (online.error or "")


def test_revoked_signer_is_reported_from_embedded_revocation_data(
    pki: LocalPki, revoked_signed: bytes, roots: list
) -> None:
    # An archivist adds the OCSP answer to the file (a DSS update, as for B-LT): from then
    # on the answer needs no network.
    answer = ocsp.OCSPResponse.load(
        fetch_ocsp(pki.ocsp_url, pki.identity("revoked").certificate, pki.interm))
    out = BytesIO(revoked_signed)
    DocumentSecurityStore.add_dss(out, sig_contents=None, certs=[pki.interm], ocsps=[answer])
    report = verify_pdf(out.getvalue(), roots)
    assert not report.valid
    [sig] = report.signatures
    assert sig.revocation == "revoked"
    assert "revoked" in sig.summary


def test_untrusted_root_is_reported(pki: LocalPki, archival_pdf: bytes, roots: list,
                                    tmp_path: Path) -> None:
    rogue = load_signer(options(pki, "B-T", identity="rogue-signer", seal=False), tmp_path)
    report = verify_pdf(sign(rogue, archival_pdf), roots)
    assert not report.valid
    [sig] = report.signatures
    # One verdict, which the booleans agree with: a signature that does not hold is not `valid`.
    assert sig.intact and not sig.valid and not sig.trusted
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert sig.trust_root is None
    assert "does not chain to a trusted root" in sig.summary
    # ...and a B-LT signature is refused outright.
    rogue_lt = load_signer(options(pki, "B-LT", identity="rogue-signer", seal=False), tmp_path)
    with pytest.raises(SigningError, match="validation path"):
        sign(rogue_lt, archival_pdf)


def test_our_copy_against_another_root_is_untrusted(
    pki: LocalPki, signed: dict[str, bytes]
) -> None:
    other = list(load_certs_from_pemder([str(pki.rogue_root_pem)]))
    report = verify_pdf(signed["B-LTA"], other)
    assert not report.valid
    assert all(not s.trusted for s in report.signatures)
    assert all(not t.trusted for t in report.timestamps)


def test_timestamp_levels_need_a_tsa(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="tsa_url"):
        load_signer(SigningOptions(level="B-T"), tmp_path)


def test_signing_options_come_from_hoso_settings(monkeypatch, tmp_path: Path) -> None:
    from api.settings import Settings

    monkeypatch.chdir(tmp_path)  # no hoso.toml here
    monkeypatch.setenv("HOSO_SIGNING__LEVEL", "B-LTA")
    monkeypatch.setenv("HOSO_SIGNING__TSA_URL", "http://tsa.example/tsr")
    monkeypatch.setenv("HOSO_SIGNING__STAMP", "true")
    monkeypatch.setenv("HOSO_SIGNING__PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
    monkeypatch.setenv("HOSO_SIGNING__SEAL__PKCS12_PATH", "/keys/agency.p12")
    signing = Settings().signing
    assert signing.level == "B-LTA" and signing.tsa_url == "http://tsa.example/tsr"
    assert signing.stamp and signing.pkcs11_module == Path("/usr/lib/softhsm/libsofthsm2.so")
    assert signing.seal is not None and signing.seal.pkcs12_path == Path("/keys/agency.p12")
    assert SigningOptions().level == "B-B" and SigningOptions().stamp  # defaults: B-B, the clerk's stamp shown


# --- Tampering: any changed byte of a signed archival copy is detected ---------------------


def tamper(pdf: bytes, at: int, rng: random.Random) -> bytes:
    changed = bytearray(pdf)
    changed[at] = (changed[at] + rng.randrange(1, 256)) % 256  # always a different byte
    return bytes(changed)


def detected(report: VerificationReport) -> bool:
    # Not valid: either a check failed, or the file no longer parses (also "not valid").
    return not report.valid and bool(report.error)


def test_fifty_random_changed_bytes_are_all_detected(signed: dict[str, bytes], roots: list) -> None:
    pdf = signed["B-LTA"]
    seed = random.randrange(2**32)  # a new sample every run; the seed replays a failure
    rng = random.Random(seed)
    missed = []
    for at in rng.sample(range(len(pdf)), 50):
        if not detected(verify_pdf(tamper(pdf, at, rng), roots)):
            missed.append(at)
    assert not missed, f"undetected changes at offsets {missed} (seed {seed})"


def _signature_value_spans(pdf: bytes) -> list[tuple[int, int]]:
    """Where each /Contents hex string lies: the bytes no /ByteRange covers."""
    spans = []
    with pikepdf.open(BytesIO(pdf)) as doc:
        for form_field in doc.Root.AcroForm.Fields:
            value = form_field.get("/V")
            if value is not None and "/ByteRange" in value:
                start, length, end = (int(v) for v in list(value.ByteRange)[:3])
                spans.append((start + length, end))
    return spans


def test_changes_in_the_unsigned_signature_containers_are_detected(
    signed: dict[str, bytes], roots: list
) -> None:
    pdf = signed["B-LTA"]
    spans = _signature_value_spans(pdf)
    assert len(spans) == 3  # clerk, seal, document timestamp
    rng = random.Random(2023)
    cases: list[tuple[str, bytes]] = []
    for gap_start, gap_end in spans:
        hex_digits = pdf[gap_start + 1 : gap_end - 1]
        used = len(hex_digits.rstrip(b"0"))
        alphabet = b"0123456789ABCDEF" if hex_digits.isupper() else b"0123456789abcdef"
        for at in rng.sample(range(gap_start + 1, gap_start + 1 + used), 12):
            other = rng.choice([c for c in alphabet if c != pdf[at]])
            cases.append((f"hex digit at {at}", pdf[:at] + bytes([other]) + pdf[at + 1 :]))
        letter = next(i for i in range(gap_start + 1, gap_end) if chr(pdf[i]) in "abcdefABCDEF")
        cases.append((f"case of the hex digit at {letter}",  # same bytes once decoded
                      pdf[:letter] + pdf[letter : letter + 1].swapcase() + pdf[letter + 1 :]))
        padding = gap_start + 1 + used + 10
        cases.append((f"padding at {padding}", pdf[:padding] + b"7" + pdf[padding + 1 :]))
        cases.append((f"space in the padding at {padding}",  # odd count of hex digits
                      pdf[:padding] + b" " + pdf[padding + 1 :]))
        cases.append((f"delimiter at {gap_end - 1}", pdf[: gap_end - 1] + b")" + pdf[gap_end:]))
    missed = [name for name, tampered in cases if not detected(verify_pdf(tampered, roots))]
    assert not missed, missed


def test_a_stamp_font_subset_is_made_once_for_the_same_glyphs(monkeypatch) -> None:
    """The subset font program of a stamp is compiled once per process for a set of glyphs and
    embedded as it was the first time, with the same /CIDSet (PDF/A checks both)."""
    from fontTools import subset
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from repository import _stamp
    from repository.signing import DEFAULT_STAMP_FONT

    _stamp._pdf_ready_font(DEFAULT_STAMP_FONT)  # cut once per process, before the stamps' subsets
    made = []
    compile_subset = subset.Subsetter.subset
    monkeypatch.setattr(subset.Subsetter, "subset", lambda self, font: made.append(1) or compile_subset(self, font))
    monkeypatch.setattr(_stamp, "_SUBSETS", {})
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595, 842))
    blank = BytesIO()
    doc.save(blank)

    def stamped(text: str) -> tuple[bytes, bytes]:
        writer = IncrementalPdfFileWriter(BytesIO(blank.getvalue()))
        engine = _stamp.style(DEFAULT_STAMP_FONT, text).text_box_style.font.create_font_engine(writer)
        engine.shape(text)
        engine.prepare_write()
        descriptor = engine.cidfont_obj["/FontDescriptor"]
        return (descriptor["/FontFile2"].get_object().data, descriptor["/CIDSet"].get_object().data)

    first = stamped("Người ký số hóa: Nguyễn Thị Hoà\nThời gian ký: 07/12/2026 05:41:23")
    assert stamped("Người ký số hóa: Nguyễn Thị Hoà\nThời gian ký: 08/12/2026 19:59:48") == first  # other digits
    assert len(made) == 1
    other = stamped("Người ký số hóa: Trần Văn Quý\nThời gian ký: 07/12/2026 05:41:23")  # another clerk
    assert len(made) == 2 and other[0] != first[0]
