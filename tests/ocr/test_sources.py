"""A PNG's EXIF orientation is found wherever its eXIf chunk is, without decoding the pixels; a
page's pixels are the ones Pillow decodes, whichever decoder gives them."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import deflate
import numpy as np
import pyspng
import pytest
from PIL import Image, ImageDraw

from ocr._png import pixels as png_pixels
from ocr.sources import PNG_SIGNATURE, exif_orientation, load_page
from ocr.options import OcrOptions

STORED = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3  # every pixel differs


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(data):
        length, name = struct.unpack(">I4s", data[at:at + 8])
        chunks.append((name, data[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return PNG_SIGNATURE + b"".join(struct.pack(">I4s", len(body), name) + body
                                    + struct.pack(">I", zlib.crc32(name + body)) for name, body in chunks)


@pytest.mark.parametrize("after_pixels", [False, True])
def test_png_exif_orientation_is_read_without_decoding(tmp_path: Path, after_pixels: bool):
    exif = Image.Exif()
    exif[0x0112] = 6  # a quarter turn clockwise
    path = tmp_path / "page.png"
    Image.fromarray(STORED).save(path, exif=exif)
    chunks = _chunks(path.read_bytes())
    assert any(name == b"eXIf" for name, _ in chunks)
    if after_pixels:  # allowed by the PNG specification, and Pillow then decodes to find it
        moved = [c for c in chunks if c[0] != b"eXIf"]
        moved.insert(len(moved) - 1, next(c for c in chunks if c[0] == b"eXIf"))  # before IEND
        path.write_bytes(_png(moved))
    with Image.open(path) as image:
        assert exif_orientation(image) == 6
        assert image.tile, "the pixels were decoded to find the EXIF"
    pixels, _ = load_page(path, "image/png", 0, OcrOptions())
    assert np.array_equal(pixels, np.rot90(STORED, -1))


def test_png_without_exif_is_upright(tmp_path: Path):
    path = tmp_path / "page.png"
    Image.fromarray(STORED).save(path)
    with Image.open(path) as image:
        assert exif_orientation(image) == 1
        assert image.tile


@pytest.mark.parametrize("size,dpi,expected", [
    ((3024, 4032), 72, 345),  # a phone's photo: 72 dpi is the camera's placeholder (1.4 m of paper), A4 is guessed
    ((2480, 3508), 300, 300),  # an A4 scan says what it is
    ((1700, 2200), 200, 200),  # a 200-dpi letter scan: upscaled as before
    ((576, 960), None, 82),  # a shrunk letter without a resolution: A4 is guessed
])
def test_a_resolution_is_believed_only_where_it_makes_a_paper_size(tmp_path: Path, size, dpi, expected):
    path = tmp_path / "photo.jpg"
    Image.new("L", size, 255).save(path, "JPEG", **({"dpi": (dpi, dpi)} if dpi else {}))
    _, found = load_page(path, "image/jpeg", 0, OcrOptions())
    assert found == expected


def _scan(mode: str) -> Image.Image:
    """A scrap of a scanned page: print, a grey rule, paper with a scanner's noise above and
    smooth below, a coloured stamp."""
    rng = np.random.default_rng(7)
    page = Image.new("RGB", (900, 700), (250, 248, 244))
    draw = ImageDraw.Draw(page)
    for y in range(40, 640, 36):
        draw.text((60, y), "Cộng hòa xã hội chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc", fill=(20, 20, 20))
    draw.line((60, 660, 840, 660), fill=(128, 128, 128), width=3)
    draw.ellipse((600, 420, 820, 640), outline=(200, 30, 40), width=8)
    pixels = np.asarray(page, np.int16)
    pixels[:350] += rng.normal(0, 6, (350, 900, 1)).astype(np.int16)  # the lower half left smooth
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert(mode)


def _every_filter(pixels: np.ndarray) -> bytes:
    """An 8-bit PNG of `pixels` whose rows take the five filter types in turn (None, Sub, Up,
    Average, Paeth): encoders choose some of them only (Pillow three, OpenCV one)."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    x = pixels.reshape(height, width * channels).astype(np.int16)
    a = np.pad(x, ((0, 0), (channels, 0)))[:, :-channels]  # the same channel of the pixel to the left
    b = np.pad(x, ((1, 0), (0, 0)))[:-1]  # above
    c = np.pad(a, ((1, 0), (0, 0)))[:-1]  # above, to the left
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    predicted = [np.zeros_like(x), a, b, (a + b) // 2, paeth]
    kind = np.arange(height) % 5
    rows = (x - np.choose(kind[:, None], predicted)) % 256
    raw = np.concatenate([kind[:, None], rows], axis=1).astype(np.uint8).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return _png([(b"IHDR", header), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")])


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("writer", ["every-filter", "pillow", "opencv", "pillow-transparency"])
def test_a_png_page_decodes_to_the_very_pixels_pillow_gives(tmp_path: Path, monkeypatch, mode: str, writer: str):
    """8-bit grey and RGB PNGs, the scanners' own, are inflated by libdeflate and their rows
    unfiltered by libspng (png_pixels): the same pixels as Pillow's, row filters of every kind
    undone, a transparency chunk not applied."""
    decoded_by_libspng, inflated_by_libdeflate = _counted(monkeypatch)
    scan, path = _scan(mode), tmp_path / "page.png"
    if writer == "every-filter":
        path.write_bytes(_every_filter(np.asarray(scan)))
    elif writer == "opencv":
        stored = np.asarray(scan)
        cv2.imwrite(str(path), stored if mode == "L" else stored[:, :, ::-1])
    elif writer == "pillow-transparency":
        scan.save(path, transparency=255 if mode == "L" else (250, 248, 244))
    else:
        scan.save(path)
    with Image.open(path) as image:
        assert image.mode == mode
        expected = np.asarray(image)
    assert np.array_equal(expected, np.asarray(scan))  # every writer here is lossless
    pixels, _ = load_page(path, "image/png", 0, OcrOptions())
    assert np.array_equal(pixels, expected) and decoded_by_libspng == [1] and inflated_by_libdeflate == [1]


def _counted(monkeypatch) -> tuple[list, list]:
    """Lists that grow by one each time libspng decodes a PNG and libdeflate inflates one."""
    decoded, inflated = [], []
    monkeypatch.setattr(pyspng, "load", lambda data, load=pyspng.load: decoded.append(1) or load(data))
    monkeypatch.setattr(deflate, "zlib_decompress",
                        lambda data, size, inflate=deflate.zlib_decompress: inflated.append(1) or inflate(data, size))
    return decoded, inflated


def _interlaced(pixels: np.ndarray) -> bytes:
    """An 8-bit PNG of `pixels` in Adam7's seven passes (rows unfiltered): no encoder here writes one."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    raw = b""
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
        reduced = pixels[y0::dy, x0::dx].reshape(-1, (width - x0 + dx - 1) // dx * channels)
        if reduced.size:
            raw += np.concatenate([np.zeros((len(reduced), 1), np.uint8), reduced], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 1)
    return _png([(b"IHDR", header), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")])


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_an_interlaced_png_is_left_to_libspng_whole(tmp_path: Path, monkeypatch, mode: str):
    """An interlaced PNG's image data is more than the page's rows (its seven passes each filter
    their rows): libdeflate cannot inflate it into them, libspng decodes the file as it came, to
    the pixels Pillow gives."""
    decoded_by_libspng, inflated_by_libdeflate = _counted(monkeypatch)
    scan, path = _scan(mode), tmp_path / "page.png"
    path.write_bytes(_interlaced(np.asarray(scan)))
    with Image.open(path) as image:
        assert image.info.get("interlace") == 1
        assert np.array_equal(np.asarray(image), np.asarray(scan))
    pixels, _ = load_page(path, "image/png", 0, OcrOptions())
    assert np.array_equal(pixels, np.asarray(scan)) and decoded_by_libspng == [1] and inflated_by_libdeflate == [1]


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA", "1", "I;16"])
def test_other_pngs_are_left_to_pillow(tmp_path: Path, mode: str):
    """Palette, alpha, 1 and 16 bits: left to Pillow, as they were (libspng takes the two kinds
    scanners write); the page is Pillow's pixels in RGB."""
    path = tmp_path / "page.png"
    scan = _scan("RGB")
    (scan.quantize(64) if mode == "P" else scan.convert("L").convert(mode) if mode in ("1", "LA", "I;16")
     else scan.convert(mode)).save(path)
    assert png_pixels(path.read_bytes()) is None
    with Image.open(path) as image:
        expected = np.asarray(image.convert("RGBA").convert("RGB") if "A" in image.getbands() else image.convert("RGB"))
    pixels, _ = load_page(path, "image/png", 0, OcrOptions())
    assert np.array_equal(pixels, expected)
