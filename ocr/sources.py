"""What an input file is (by its bytes, never its name) and how to get a page out of it."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from . import _pdf, _png
from .errors import CorruptInput, InputTooLarge, UnsupportedMediaType
from .model import SourceInfo, SourcePage
from .options import OcrOptions

PNG_SIGNATURE = _png.SIGNATURE
LARGEST_PAPER_INCHES = 23.4  # the long side of A2: no scanned page is larger
MEDIA_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tiff",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class Inspected(SourceInfo):
    """What the reception learns of a file: its pages, and what else it carries."""

    flags: tuple[str, ...] = ()  # active content of a PDF ("javascript", "embedded_files", …)


def sniff(head: bytes) -> str:
    """Media type from the first bytes; raises UnsupportedMediaType for anything else."""
    if head.startswith(PNG_SIGNATURE):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    raise UnsupportedMediaType(
        "unsupported file type: send PNG, JPEG, TIFF or PDF "
        "(loại tệp không được hỗ trợ: hãy gửi PNG, JPEG, TIFF hoặc PDF)"
    )


def sniff_file(path: Path) -> str:
    with open(path, "rb") as f:
        return sniff(f.read(1024))


def inspect(path: Path, options: OcrOptions, *, check_decoding: bool = True) -> Inspected:
    """Check that every page can be decoded and say which pages need OCR.

    This is the gate at the reception desk: anything it accepts, the workers can read. A
    worker, given bytes that passed it (fixity checked), may skip decoding them again.
    """
    media_type = sniff_file(path)
    if media_type == "application/pdf":
        pdf = _pdf.inspect(path, options.min_text_chars, options.max_pages, options.max_pixels, options.render_dpi)
        return Inspected(media_type, tuple(SourcePage(i, scanned=s) for i, s in enumerate(pdf.scanned)), pdf.flags)
    count = _count_pages(path, options)
    if check_decoding:
        _check_decodes(path, media_type)
    return Inspected(media_type, tuple(SourcePage(i, scanned=True) for i in range(count)))


def load_page(path: Path, media_type: str, index: int, options: OcrOptions) -> tuple[np.ndarray, int]:
    """The page's pixels (rows × columns for grey, × 3 for RGB, 8 bits) and its resolution in
    dots per inch."""
    if media_type == "application/pdf":
        return np.asarray(_pdf.render(path, index, options.render_dpi)), options.render_dpi
    with _open_image(path) as image:  # reads the header only: size and resolution
        image.seek(index)
        _check_pixels(image, options)
        dpi = _dpi_of(image, options.default_dpi)
        turn = exif_orientation(image) if image.format != "TIFF" else 1  # Pillow turns a TIFF as it loads it
        if image.format in ("PNG", "JPEG") and image.mode in ("RGB", "L"):
            pixels = _decode(path, image)
            if pixels is not None:
                return _upright(pixels, turn), dpi
        if image.mode not in ("RGB", "L"):
            page = image.convert("RGBA").convert("RGB") if "A" in image.getbands() else image.convert("RGB")
        else:
            page = image.copy()
    return _upright(np.asarray(page), turn), dpi


def exif_orientation(image: Image.Image) -> int:
    """The EXIF Orientation tag (1-8; 1 when absent): phones often set it instead of turning
    the pixels of a photo taken sideways."""
    try:
        exif = _png_exif(image) if image.format == "PNG" and image.filename else image.getexif()
        value = exif.get(0x0112, 1)
    except (OSError, ValueError, SyntaxError, struct.error):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _png_exif(image: Image.Image) -> Image.Exif:
    """A PNG's EXIF, its pixels left undecoded: an eXIf chunk may follow the image data, and
    Pillow decodes the whole image to look there (0.2 s of CPU for an A4 scan, which the
    pixels' own decoding by OpenCV then costs again). The chunks' headers tell where it is."""
    exif = Image.Exif()
    data = image.info.get("exif")  # an eXIf before the image data, which Pillow has read
    if data is None and (chunk := _png_chunk(Path(image.filename), b"eXIf")) is not None:
        data = b"Exif\x00\x00" + chunk
    if data:
        exif.load(data)
    return exif


def _png_chunk(path: Path, kind: bytes) -> bytes | None:
    """The data of the first chunk of type `kind` in a PNG file, reading only chunk headers
    on the way to it."""
    with open(path, "rb") as f:
        if f.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
            return None
        for name, at, length in _png.chunks(f):
            if name == kind:
                f.seek(at)
                return f.read(length)
    return None


def _upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels as the EXIF orientation says to show them (TIFF/EXIF 2.3, tag 274)."""
    if orientation in (2, 4, 5, 7):  # mirrored variants: flip first, then turn as their twin
        pixels = pixels[:, ::-1]
        orientation = {2: 1, 4: 3, 5: 8, 7: 6}[orientation]
    turns = {3: 2, 6: 3, 8: 1}.get(orientation, 0)  # np.rot90 turns counter-clockwise
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


def _decode(path: Path, image: Image.Image) -> np.ndarray | None:
    """A one-frame PNG or JPEG decoded straight into an array: Pillow's image would cost a copy
    as long as the decoding to become one. None when the decoder would read it otherwise than
    Pillow does (Pillow then decodes it)."""
    if image.format == "PNG":
        pixels = _png.pixels(path.read_bytes())
    else:
        pixels = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)  # no EXIF turn, as Pillow
        if pixels is not None and pixels.ndim == 3 and pixels.shape[2] == 3:
            pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB, dst=pixels)
    if pixels is None or pixels.dtype != np.uint8 or pixels.shape[:2] != (image.height, image.width):
        return None
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    return pixels if channels == (1 if image.mode == "L" else 3) else None  # e.g. a transparency made BGRA


def _count_pages(path: Path, options: OcrOptions) -> int:
    """Pages of an image file, each checked for size before anything is decoded."""
    count = 0
    try:
        with _open_image(path) as image:
            for frame in ImageSequence.Iterator(image):
                count += 1
                if count > options.max_pages:
                    raise InputTooLarge(f"more than {options.max_pages} pages in one image file")
                _check_pixels(frame, options)
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise CorruptInput(f"the image cannot be read: {e}") from e
    return count


def _check_decodes(path: Path, media_type: str) -> None:
    """PNG: every chunk's CRC (cheap, catches truncation and flipped bits); others: decode."""
    try:
        with _open_image(path) as image:
            if media_type == "image/png":
                image.verify()
                return
            for _ in ImageSequence.Iterator(image):
                image.load()
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise CorruptInput(f"the image cannot be decoded: {e}") from e


def _open_image(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise CorruptInput(f"the image cannot be read: {e}") from e
    except Image.DecompressionBombError as e:
        raise InputTooLarge(str(e)) from e


def _check_pixels(image: Image.Image, options: OcrOptions) -> None:
    if image.width * image.height > options.max_pixels:
        raise InputTooLarge(
            f"page of {image.width}×{image.height} pixels is larger than {options.max_pixels} pixels"
        )


def _dpi_of(image: Image.Image, default: int) -> int:
    """Resolution from the file, else one that makes the page about A4 (phone photos). A
    resolution that makes the image larger than any paper is a camera's placeholder (phones
    write 72 dpi into every photo: 4032 px at 72 dpi is 1.4 m), not a scanner's measure."""
    long_side = max(image.size)
    dpi = image.info.get("dpi")
    if dpi and 70 <= float(dpi[0]) <= 2400 and long_side / float(dpi[0]) <= LARGEST_PAPER_INCHES:
        return round(float(dpi[0]))
    guess = round(long_side / 11.69)
    return guess if 70 <= guess <= 1200 else default
