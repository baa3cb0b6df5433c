"""PNG adapter (libdeflate for the image data's inflate, libspng for the rows' filters): the
only place that decodes the PNG pages scanners write."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import BinaryIO

import deflate
import numpy as np
import pyspng

SIGNATURE = b"\x89PNG\r\n\x1a\n"
STORED_BLOCK = 65535  # the most a stored deflate block holds
IEND = struct.pack(">I4sI", 0, b"IEND", 0xAE426082)


def pixels(data: bytes) -> np.ndarray | None:
    """An 8-bit grey or RGB PNG's pixels as stored (rows × columns, × 3 for RGB), the very same
    pixels as Pillow's. None for other PNGs (palette, alpha, 16 or fewer than 8 bits). A
    transparency chunk is not applied, as Pillow does not apply it to an RGB image; the CRCs are
    not checked again: the reception did."""
    # IHDR comes first: its bit depth and colour type are bytes 24 and 25 of the file.
    if len(data) < 33 or not data.startswith(SIGNATURE) or data[24] != 8 or data[25] not in (0, 2):
        return None
    try:
        return pyspng.load(_inflated(data) or data)
    except RuntimeError:  # libspng refused it: Pillow decodes it, or says what is wrong
        return None


def _inflated(data: bytes) -> bytes | None:
    """The PNG with its image data inflated by libdeflate and stored again uncompressed, its
    header kept: libspng then undoes the rows' filters only. libspng's own inflate (zlib's) is
    most of its time, libdeflate's takes two fifths of it (an A4 page at 300 dpi in a worker:
    90-97 → 46-48 ms of CPU in all). None where the image data does not inflate into the rows
    the header gives when not interlaced (an interlaced PNG's passes need more): libspng then
    reads the PNG as it came."""
    width, height = struct.unpack(">II", data[16:24])
    try:  # a filter byte before each row
        rows = deflate.zlib_decompress(_image_data(data), height * (1 + width * (1 if data[25] == 0 else 3)))
    except deflate.DeflateError:
        return None
    size = len(rows)
    view, stream = memoryview(rows), [b"IDAT", b"\x78\x01"]  # zlib's header: deflate, 32 KiB window
    for start in range(0, size, STORED_BLOCK):
        block = view[start:start + STORED_BLOCK]
        stream += [struct.pack("<BHH", start + STORED_BLOCK >= size, len(block), len(block) ^ 0xFFFF), block]
    stream.append(struct.pack(">I", deflate.adler32(rows)))
    crc = 0
    for part in stream:
        crc = deflate.crc32(part, crc)
    length = sum(map(len, stream)) - 4
    return b"".join([data[:33], struct.pack(">I", length), *stream, struct.pack(">I", crc), IEND])


def chunks(f: BinaryIO) -> Iterator[tuple[bytes, int, int]]:
    """Each chunk's type, the offset of its data and the data's length, from the file's
    position (after the signature) up to IEND, reading only the chunks' headers: the caller
    reads a chunk's data when it wants it."""
    while len(header := f.read(8)) == 8:
        length, kind = struct.unpack(">I4s", header)
        at = f.tell()
        yield kind, at, length
        if kind == b"IEND":
            return
        f.seek(at + length + 4)  # past the data and its CRC


def _image_data(data: bytes) -> bytes:
    """The IDAT chunks' data, joined."""
    stream, view = io.BytesIO(data), memoryview(data)
    stream.seek(len(SIGNATURE))
    return b"".join(view[at:at + length] for kind, at, length in chunks(stream) if kind == b"IDAT")
