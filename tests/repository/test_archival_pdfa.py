"""Archival copies are PDF/A (2b by default, 1b on request) and stay PDF/A once signed.

Real Tesseract pages, assembled and signed as the worker does; veraPDF judges PDF/A (one JVM per
flavour for every file of the module) and poppler's pdfsig judges the signatures.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import ImageDraw

import ocr
import vnpages
from repository import archival
from repository.signing import ArchivalSigner, SigningOptions, load_signer
from repository.verification import verify_pdf
from services import verapdf

FLAVOURS = ["1b", "2b"]
DESCRIPTION = archival.Description(
    # XML-special characters and a control character, as a file name may have them
    title="Giấy khai sinh <bản sao> & \"chứng thực\"\x07.jpg",
    dossier_code="000.17.22.H56-210531-0001",
    document_id="01JD6Q3W8C0YV5QK1N2M3P4R5S",
    agency_code="000.17.22.H56",
    doc_type="birth_certificate",
)
TITLE = "Giấy khai sinh <bản sao> & \"chứng thực\" .jpg"


def _scan(tmp: Path) -> list[Path]:
    """Two scanned pages read by Tesseract: a colour PNG with a red stamp, and a greyscale
    JPEG put in sideways (its archival page draws the turn)."""
    colour = vnpages.render_page(vnpages.PROSE[:5])
    ImageDraw.Draw(colour).ellipse((1500, 2300, 2100, 2900), outline=(200, 20, 20), width=18)
    grey = vnpages.render_page(vnpages.PROSE[5:], font="sans").convert("L").rotate(90, expand=True)
    grey.info["dpi"] = (300, 300)
    sources = [vnpages.save(colour, tmp / "page1.png"), vnpages.save(grey, tmp / "page2.jpg", quality=85)]
    options = ocr.OcrOptions()
    pages = []
    for number, source in enumerate(sources, 1):
        workdir = tmp / f"ocr-{number}"
        workdir.mkdir()
        result = ocr.read_page(source, ocr.inspect(source, options).media_type, 0, True, options, workdir)
        assert result.pdf is not None and result.words, f"Tesseract read nothing on page {number}"
        pages.append(result.pdf)
    return pages


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> ArchivalSigner:
    return load_signer(SigningOptions(), tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory, signer: ArchivalSigner) -> dict[str, Path]:
    """'page' (Tesseract's page, no PDF/A), and per flavour the 'unsigned' copy, the 'signed'
    one and one signed 'twice' (clerk, then agency seal)."""
    tmp = tmp_path_factory.mktemp("archival")
    pages = _scan(tmp)
    made = {"page": pages[0]}
    for flavour in FLAVOURS:
        parts = [archival.PagePart(p) for p in pages]
        unsigned = archival.assemble(parts, DESCRIPTION, flavour=flavour)
        signed = signer.sign(unsigned, reason=f"Số hóa hồ sơ {DESCRIPTION.dossier_code}",
                             location="Hà Nội")
        twice = signer.sign(signed, reason="Đóng dấu cơ quan", location="Hà Nội")
        for state, data in (("unsigned", unsigned), ("signed", signed), ("twice", twice)):
            made[f"{flavour}-{state}"] = tmp / f"archival-{flavour}-{state}.pdf"
            made[f"{flavour}-{state}"].write_bytes(data)
    return made


@pytest.fixture(scope="module")
def verdicts(copies: dict[str, Path]) -> dict[tuple[str, str], verapdf.Validation]:
    """veraPDF's verdict on each file of the module, by (file key, flavour)."""
    jobs = [(key, flavour) for flavour in FLAVOURS
            for key in ("page", f"{flavour}-unsigned", f"{flavour}-signed", f"{flavour}-twice")]
    try:
        results = verapdf.validate([(copies[key], flavour) for key, flavour in jobs])
    except verapdf.ServiceUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"veraPDF is required in CI: {e.reason}")
        pytest.skip(f"veraPDF not available here: {e.reason}")
    return dict(zip(jobs, results))


def pdfsig(path: Path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_archival_copy_is_pdfa(verdicts, flavour):
    verdict = verdicts[(f"{flavour}-unsigned", flavour)]
    assert verdict.compliant, verdict.summary()
    assert verdict.profile.upper().startswith(f"PDF/A-{flavour.upper()}")


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("state", ["signed", "twice"])
def test_signed_copy_is_still_pdfa(verdicts, flavour, state):
    verdict = verdicts[(f"{flavour}-{state}", flavour)]
    assert verdict.compliant, verdict.summary()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_validator_rejects_a_page_that_is_not_pdfa(verdicts, flavour):
    # Tesseract's page alone has no XMP metadata and no output intent: the verdicts above come
    # from a validator that does check what assemble adds.
    verdict = verdicts[("page", flavour)]
    assert not verdict.compliant and verdict.error is None
    metadata = {"1b": "6.7.2-1", "2b": "6.6.2.1-1"}[flavour]
    assert metadata in verdict.failed_rules, verdict.summary()
    assert any(rule.startswith({"1b": "6.2.3.3", "2b": "6.2.4.3"}[flavour])
               for rule in verdict.failed_rules), verdict.summary()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_pdfsig_accepts_the_signatures_on_pdfa(copies, flavour):
    out = pdfsig(copies[f"{flavour}-signed"])
    assert "Signature is Valid" in out and "Total document signed" in out, out
    twice = pdfsig(copies[f"{flavour}-twice"])
    assert twice.count("Signature is Valid") == 2, twice
    assert "HoSoSignature1" in twice and "HoSoSignature2" in twice


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_pyhanko_verifies_the_signatures_on_pdfa(copies, signer, flavour):
    report = verify_pdf(copies[f"{flavour}-twice"].read_bytes(), signer.trust_roots)
    assert report.valid, report.error
    assert [s.field for s in report.signatures] == ["HoSoSignature1", "HoSoSignature2"]


def test_pdfa1_keeps_the_pdf_1_4_structure(copies):
    unsigned = copies["1b-unsigned"].read_bytes()
    signed = copies["1b-twice"].read_bytes()
    assert unsigned.startswith(b"%PDF-1.4\n")
    assert signed.startswith(unsigned)  # the signatures are incremental updates
    for data in (unsigned, signed):  # no object streams, no xref streams: PDF 1.5 features
        assert b"/ObjStm" not in data and b"/XRef" not in data
        assert data.count(b"\ntrailer") == data.count(b"startxref")


def test_pdfa2_is_pdf_1_7(copies):
    assert copies["2b-unsigned"].read_bytes().startswith(b"%PDF-1.7\n")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_metadata_describes_the_document(copies, flavour):
    with pikepdf.open(copies[f"{flavour}-twice"]) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == flavour[0] and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == TITLE == str(pdf.docinfo["/Title"])
        assert meta["dc:identifier"] == f"{DESCRIPTION.dossier_code}/{DESCRIPTION.document_id}"
        assert meta["dc:language"] == {"vi"}  # XMP bags
        assert meta["dc:publisher"] == {DESCRIPTION.agency_code}
        assert meta["dc:type"] == {DESCRIPTION.doc_type}
        assert DESCRIPTION.dossier_code in str(pdf.docinfo["/Subject"])
        assert str(pdf.Root.Lang) == "vi"
        assert len(pdf.trailer.ID) == 2
        [intent] = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB " and icc[8] == 2  # ICC v2: PDF 1.4


def test_the_same_document_gives_the_same_bytes(copies):
    pages = [archival.PagePart(copies["page"])]
    assert archival.assemble(pages, DESCRIPTION) == archival.assemble(pages, DESCRIPTION)


def test_unknown_flavour_is_refused(copies):
    with pytest.raises(ValueError, match="3b"):
        archival.assemble([archival.PagePart(copies["page"])], DESCRIPTION,
                          flavour="3b")  # type: ignore[arg-type]
