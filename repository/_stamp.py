"""The visible signature stamp: where it goes on page 1 and how its Vietnamese text is drawn.

Circular 01/2023/TT-VPCP has the digitising clerk's signature shown at the top left of the first
page (signer, time); Circular 01/2019/TT-BNV puts an agency's seal signature at the top right.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import CIDFont, GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from .errors import SigningError

CLERK_TEXT = "Người ký số hóa: %(signer)s\nThời gian ký: %(signed_at)s"
SEAL_TEXT = "Cơ quan: %(signer)s\nThời gian ký: %(signed_at)s"
SIZE = (230, 46)  # points
MARGIN = 14
FONT_SIZE = 8

# fontTools warns about every font table it does not subset, once per stamp drawn.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


def style(font: Path, text: str) -> TextStampStyle:
    if not font.is_file():
        raise SigningError(f"the stamp font {font} does not exist (set stamp_font)")
    # No object streams: PDF/A-1 forbids them, and a stamp is a few objects anyway.
    engine = _FontFactory(str(font), font_size=FONT_SIZE, create_objstream_if_needed=False)
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=engine, font_size=FONT_SIZE, leading=FONT_SIZE + 3),
        border_width=1,
    )


def box(writer: IncrementalPdfFileWriter, corner: str) -> tuple[int, int, int, int]:
    """The stamp's rectangle at the top `corner` ("left"/"right") of page 1 as a reader sees
    it: the page's /Rotate turns user space, so that may be another corner of the media box."""
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    area = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in area)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    rotate = int(_inherited(page, "/Rotate") or 0) % 360
    width, height = SIZE if rotate in (0, 180) else SIZE[::-1]
    m = MARGIN
    # The lower-left point of the box, per clockwise page rotation.
    top_left = {0: (x0 + m, y1 - m - height), 90: (x0 + m, y0 + m),
                180: (x1 - m - width, y0 + m), 270: (x1 - m - width, y1 - m - height)}
    top_right = {0: (x1 - m - width, y1 - m - height), 90: (x0 + m, y1 - m - height),
                 180: (x0 + m, y0 + m), 270: (x1 - m - width, y0 + m)}
    corners = top_left if corner == "left" else top_right
    bx, by = corners.get(rotate, corners[0])
    return round(bx), round(by), round(bx + width), round(by + height)


def _inherited(page, key: str):
    node = page
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


class _GlyphAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator, plus the /CIDSet that PDF/A-1 (6.3.5) wants for a subset
    CID font, and the subset font program kept per process for the glyphs it holds. pyHanko's
    subset keeps every glyph id (unused glyphs are left empty) and CIDs are glyph ids, so every
    id up to the glyph count is present in the font program: PDF/A-2 (6.2.11.4.2) wants exactly
    those, and veraPDF counts them that way."""

    def __init__(self, font_file: str, **options) -> None:
        self.font_file = font_file
        super().__init__(font_handle=BytesIO(_pdf_ready_font(Path(font_file))), **options)

    def _extract_subset(self, options=None) -> None:
        if options is None:
            self.shape(DIGITS)  # all of them: a clerk's stamps then hold the same glyphs, whatever the time
        if options is None and (kept := _SUBSETS.get(self._subset_key())) is not None:
            self._use_program(*kept)
            return
        # pyHanko's subset drops the layout tables, but fontTools decompiles them all before it
        # prunes any (a tenth of a second of CPU or more per signature with DejaVu). They served
        # the shaping, which is done by now, so they go first.
        if options is None:
            for tag in ("GDEF", "GSUB", "GPOS"):
                if tag in self.tt:
                    del self.tt[tag]
        super()._extract_subset(options)
        self._glyph_count = len(self.tt.getGlyphOrder())
        if options is None and "glyf" in self.tt:
            program = BytesIO()
            self.tt.save(program)
            kept = _SUBSETS[self._subset_key()] = program.getvalue(), self._glyph_count
            while len(_SUBSETS) > SUBSETS_KEPT:
                _SUBSETS.pop(next(iter(_SUBSETS)), None)  # the oldest (a broker worker signs on threads)
            self._use_program(*kept)

    def _subset_key(self) -> tuple[str, frozenset[int]]:
        return self.font_file, frozenset(self._glyphs)

    def _use_program(self, program: bytes, glyph_count: int) -> None:
        """Embed `program`, the subset for this stamp's glyphs, made once: subsetting and
        compiling it cost more than half of a signature's CPU (49 ms a signature with it, 18 ms
        without), and a clerk's stamps differ only in the time, whose digits are all in it."""
        self._glyph_count = glyph_count
        self.cidfont_obj.set_font_file = lambda writer: _embed_program(self.cidfont_obj, writer, program)

    def prepare_write(self) -> None:
        first_time = not self._write_prepared
        super().prepare_write()
        if not first_time or "glyf" not in self.tt:
            return
        count = self._glyph_count
        bits = bytearray(b"\xff" * (count // 8))
        if count % 8:
            bits.append((0xFF << (8 - count % 8)) & 0xFF)
        cid_set = generic.StreamObject(stream_data=bytes(bits))
        cid_set.compress()
        descriptor = self.cidfont_obj["/FontDescriptor"]
        descriptor["/CIDSet"] = self.writer.add_object(cid_set)


# Subset font programs made in this process, by font and the glyphs they hold: a few tens of KB
# each, one per clerk's or agency's name in practice.
SUBSETS_KEPT = 64
DIGITS = "0123456789"
_SUBSETS: dict[tuple[str, frozenset[int]], tuple[bytes, int]] = {}


def _embed_program(font: CIDFont, writer, program: bytes):
    """pyHanko's CIDFontType2.set_font_file, with the font program already compiled."""
    stream = generic.StreamObject(stream_data=program)
    stream.compress()
    reference = writer.add_object(stream)
    font._font_descriptor[generic.pdf_name("/FontFile2")] = reference
    return reference


class _FontFactory(GlyphAccumulatorFactory):
    """The glyph accumulator above, fed the font as `_pdf_ready_font` makes it."""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        return _GlyphAccumulator(
            self.font_file,
            writer=writer,
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


@lru_cache(maxsize=4)
def _pdf_ready_font(path: Path) -> bytes:
    """The font with 1000 units per em, cut down to the Vietnamese and Latin characters.

    pyHanko writes glyph widths and kerning in font units where PDF wants thousandths of an
    em; for a font with 2048 units per em (DejaVu) viewers then spread the letters past the
    stamp's edge. Rescaling once per process (~0.5 s) makes the two the same.
    """
    try:
        font = TTFont(path)
        if font["head"].unitsPerEm == 1000:
            return path.read_bytes()
        options = subset.Options()
        options.layout_features = ["*"]  # mark positioning stacks Vietnamese tone marks
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_VIETNAMESE_AND_LATIN)
        subsetter.subset(font)
        scale_upem(font, 1000)
        out = BytesIO()
        font.save(out)
    except Exception as e:  # fontTools raises its own types, and struct/KeyError on bad files
        raise SigningError(f"cannot use {path} as the stamp font: {type(e).__name__}: {e}") from e
    return out.getvalue()


_VIETNAMESE_AND_LATIN = [
    *range(0x20, 0x250),  # Basic Latin to Latin Extended-B (Ă Đ Ơ Ư)
    *range(0x300, 0x370),  # combining diacritics
    *range(0x1E00, 0x1F00),  # Latin Extended Additional (ạ ả ấ ... ỹ)
    *range(0x2000, 0x2070),  # punctuation
    0x20AB,  # ₫
]
