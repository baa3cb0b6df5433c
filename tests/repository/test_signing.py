"""Signing and verification with real tools: pyHanko signs; poppler's pdfsig and pyHanko verify."""

from __future__ import annotations

import subprocess
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary, Name
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from repository._devpki import ensure_dev_identity
from repository.errors import SigningError
from repository.signing import ArchivalSigner, SigningOptions, load_signer
from repository.verification import verify_pdf

TEXT = b"(HoSo 000.17.22.H56-210531-0001)"


def make_pdf() -> bytes:
    """A one-page PDF with uncompressed text, so a test can find and change a signed byte."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    content = pdf.make_stream(b"BT /F1 18 Tf 72 720 Td " + TEXT + b" Tj ET")
    page = Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=content,
    )
    pdf.pages.append(pikepdf.Page(page))
    out = BytesIO()
    pdf.save(out, compress_streams=False, deterministic_id=True)  # same bytes every call
    return out.getvalue()


def pdfsig(path: Path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="module")
def signer(keys_dir: Path) -> ArchivalSigner:
    return load_signer(SigningOptions(), keys_dir)


@pytest.fixture(scope="module")
def signed(signer: ArchivalSigner) -> bytes:
    return signer.sign(
        make_pdf(), reason="Số hoá hồ sơ", location="Hà Nội", signer_name="Nguyễn Văn A"
    )


def test_dev_signer_is_marked_for_development(signer: ArchivalSigner) -> None:
    assert signer.development
    assert "development" in signer.subject.lower()
    assert "FOR DEVELOPMENT ONLY" in signer.subject
    assert len(signer.trust_roots) == 1


def test_dev_identity_files_are_private(keys_dir: Path, signer: ArchivalSigner) -> None:
    for name in ("dev-signer.p12", "dev-signer.pass", "dev-root.pem"):
        assert (keys_dir / name).stat().st_mode & 0o777 == 0o600


def test_pdfsig_accepts_signature_over_whole_document(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "archival.pdf"
    path.write_bytes(signed)
    out = pdfsig(path)
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert "HoSoSignature1" in out
    assert "ETSI.CAdES.detached" in out


def test_signing_is_an_incremental_update(signed: bytes) -> None:
    original = make_pdf()
    assert signed.startswith(original)


def test_verify_reports_valid_development_signature(signer: ArchivalSigner, signed: bytes) -> None:
    report = verify_pdf(signed, signer.trust_roots)
    assert report.valid, report.error
    assert report.error is None
    assert report.development_signer
    [sig] = report.signatures
    assert sig.field == "HoSoSignature1"
    assert "development" in sig.signer.lower()
    assert sig.level == "B-B"
    assert sig.intact and sig.valid and sig.trusted
    assert (sig.indication, sig.sub_indication) == ("TOTAL-PASSED", None)
    assert sig.covers_whole_document and not sig.modified_after_signing
    assert sig.signing_time is not None


def test_second_load_reuses_the_same_certificate(keys_dir: Path, signer: ArchivalSigner) -> None:
    again = load_signer(SigningOptions(), keys_dir)
    assert again.certificate.dump() == signer.certificate.dump()
    assert [c.dump() for c in again.trust_roots] == [c.dump() for c in signer.trust_roots]


def _identity_bytes(directory: Path) -> tuple[bytes, bytes]:
    identity = ensure_dev_identity(directory)
    return identity.pkcs12.read_bytes(), identity.root_cert.read_bytes()


def test_concurrent_first_runs_create_one_identity(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_identity_bytes, [tmp_path] * 8))
    assert len(set(results)) == 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".dev-")]
    leftovers.remove(".dev-identity.lock")
    assert leftovers == []  # no temp files left behind


def test_changed_byte_in_signed_range_is_detected(signer: ArchivalSigner, signed: bytes) -> None:
    at = signed.index(TEXT) + len(TEXT) - 2  # the last digit of the dossier code
    tampered = signed[:at] + b"9" + signed[at + 1 :]
    report = verify_pdf(tampered, signer.trust_roots)
    assert not report.valid
    assert report.error
    if report.signatures:  # pyHanko still parses the file: the digest must not match
        [sig] = report.signatures
        assert not sig.intact and not sig.valid
        assert (sig.indication, sig.sub_indication) == ("TOTAL-FAILED", "HASH_FAILURE")


def test_changed_padding_after_signature_value_is_detected(
    signer: ArchivalSigner, signed: bytes
) -> None:
    # /Contents is outside /ByteRange; its zero padding is not covered by the signature.
    at = signed.index(b"0000000000>")
    tampered = signed[:at] + b"1" + signed[at + 1 :]
    report = verify_pdf(tampered, signer.trust_roots)
    assert not report.valid
    assert "padding" in (report.error or "")


def test_truncated_file_is_not_valid(signer: ArchivalSigner, signed: bytes) -> None:
    report = verify_pdf(signed[: len(signed) // 2], signer.trust_roots)
    assert not report.valid
    assert report.error


def test_garbage_is_not_valid(signer: ArchivalSigner) -> None:
    report = verify_pdf(b"this is not a PDF", signer.trust_roots)
    assert not report.valid
    assert "not a readable PDF" in (report.error or "")


def test_unsigned_pdf_is_not_valid(signer: ArchivalSigner) -> None:
    report = verify_pdf(make_pdf(), signer.trust_roots)
    assert not report.valid
    assert report.signatures == []
    assert "no signatures" in (report.error or "")


def test_no_trust_roots_means_untrusted(signed: bytes) -> None:
    report = verify_pdf(signed, [])
    assert not report.valid
    [sig] = report.signatures
    assert sig.intact and not sig.valid and not sig.trusted  # the verdict, not the arithmetic
    assert sig.indication == "INDETERMINATE" and sig.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    assert "trusted root" in sig.summary


def test_other_root_means_untrusted(signed: bytes, tmp_path: Path) -> None:
    other = ensure_dev_identity(tmp_path / "other")
    report = verify_pdf(signed, list(load_certs_from_pemder([str(other.root_cert)])))
    assert not report.valid
    assert not report.signatures[0].trusted


def test_update_appended_after_signing_is_detected(
    signer: ArchivalSigner, signed: bytes, tmp_path: Path
) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    modified = out.getvalue()

    report = verify_pdf(modified, signer.trust_roots)
    assert not report.valid
    [sig] = report.signatures
    assert sig.intact  # the signed revision itself is untouched...
    assert sig.modified_after_signing  # ...but something was added after it
    assert not sig.covers_whole_document
    assert "modified after" in sig.summary

    path = tmp_path / "modified.pdf"
    path.write_bytes(modified)
    assert "Total document signed" not in pdfsig(path)


def test_second_signature_gets_next_field_and_both_verify(
    signer: ArchivalSigner, signed: bytes
) -> None:
    twice = signer.sign(signed, reason="Đóng dấu cơ quan", location="Hà Nội")
    report = verify_pdf(twice, signer.trust_roots)
    assert [s.field for s in report.signatures] == ["HoSoSignature1", "HoSoSignature2"]
    assert report.signatures[-1].covers_whole_document
    assert report.valid, report.error


def test_configured_pkcs12_is_not_development(keys_dir: Path) -> None:
    identity = ensure_dev_identity(keys_dir)
    options = SigningOptions(
        pkcs12_path=identity.pkcs12,
        pkcs12_passphrase=identity.passphrase_file.read_text().strip(),
        trust_roots=[identity.root_cert],
    )
    external = load_signer(options, keys_dir / "unused")
    assert not external.development
    signed = external.sign(make_pdf(), reason="r", location="l")
    assert verify_pdf(signed, external.trust_roots).valid


def test_wrong_passphrase_raises_signing_error(keys_dir: Path) -> None:
    identity = ensure_dev_identity(keys_dir)
    with pytest.raises(SigningError):
        options = SigningOptions(pkcs12_path=identity.pkcs12, pkcs12_passphrase="wrong")
        load_signer(options, keys_dir)


def test_signing_garbage_raises_signing_error(signer: ArchivalSigner) -> None:
    with pytest.raises(SigningError):
        signer.sign(b"not a pdf", reason="r", location="l")
