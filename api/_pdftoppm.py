"""poppler's `pdftoppm`: one page of a PDF as a JPEG, for the review and archive pages.

A subprocess rather than pypdfium2 in the server: pdfium is not thread-safe, and the server
already calls it from request threads when it checks uploads; a separate process per picture
also keeps a bad page from taking the server down.
"""

from __future__ import annotations

import subprocess

TIMEOUT = 30  # seconds for one page; a page image the size of A4 at 300 dpi takes a few tenths


class RenderFailed(Exception):
    """pdftoppm is missing, timed out, or could not draw the page."""


def page_jpeg(pdf: bytes, number: int, width: int, quality: int = 85) -> bytes:
    """Page `number` (1-based) of `pdf` scaled to `width` pixels, as JPEG bytes."""
    command = ["pdftoppm", "-f", str(number), "-l", str(number), "-scale-to-x", str(width),
               "-scale-to-y", "-1", "-jpeg", "-jpegopt", f"quality={quality}", "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError as e:
        raise RenderFailed("pdftoppm is not installed (Debian package poppler-utils)") from e
    except subprocess.TimeoutExpired as e:
        raise RenderFailed(f"pdftoppm took more than {TIMEOUT} s for page {number}") from e
    if done.returncode != 0 or not done.stdout:
        raise RenderFailed(f"pdftoppm could not draw page {number}: "
                           f"{done.stderr.decode(errors='replace').strip()[:300]}")
    return done.stdout
