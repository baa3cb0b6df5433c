"""A PNG's EXIF orientation is found wherever its eXIf chunk is, without decoding the pixels."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

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
