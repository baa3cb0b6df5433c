"""A document of forty scanned pages (agency files run to 26-55) through the whole path of
`hoso ingest`: every page read in order, in bounded memory, its progress shown (issue 15)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading

import vnpages
from harness import HOSO

PAGES = 40
MEMORY_LIMIT = 900 << 20  # bytes of peak resident memory, of `hoso ingest` and every process it ran
# That peak, taken by a small parent: a child forked from this test's own process counts, until it
# execs, the pages it shares with it (pytest's, some 2 GB late in the whole suite).
_MEASURED = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
             "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
             "sys.exit(code)")


def _scanned_pdf(path, pages: int):
    """A grey 250-dpi scan of `pages` pages, each saying which page it is."""
    images = [vnpages.render_page([f"Trang {n} trên {pages}", vnpages.PROSE[2 + n % 8]], dpi=250).convert("L")
              for n in range(1, pages + 1)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=250)
    return path


def test_a_forty_page_scan_is_read_whole_in_bounded_memory_with_progress(tmp_path):
    source = _scanned_pdf(tmp_path / "ho-so-dai.pdf", PAGES)
    env = {**os.environ, "HOSO_DATA_DIR": str(tmp_path / "var"), "HOSO_WORKERS": "2"}
    # A terminal for the progress bar (it is shown on one only), the manifest on stdout.
    terminal, bar_side = pty.openpty()
    fcntl.ioctl(bar_side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # tqdm draws nothing 0 wide
    shown: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the other side closed
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with open(tmp_path / "out.json", "wb") as out:
        process = subprocess.Popen([sys.executable, "-c", _MEASURED, str(tmp_path / "peak"), str(HOSO), "ingest",
                                    str(source), "--json"], env=env, stdout=out, stderr=bar_side)
        os.close(bar_side)
        process.wait()
    reader.join(timeout=10)
    os.close(terminal)
    progress = b"".join(shown).decode(errors="replace")
    assert process.returncode == 0, progress

    document = json.loads((tmp_path / "out.json").read_text())["documents"][0]
    assert document["status"] == "done"
    assert [p["number"] for p in document["pages"]] == list(range(1, PAGES + 1))
    assert all(f"Trang {n}" in p["text"] for n, p in enumerate(document["pages"], 1))
    assert f"{PAGES} pages read" in progress, progress[-500:]
    peak = int((tmp_path / "peak").read_text()) * 1024
    assert peak < MEMORY_LIMIT, f"peak resident memory {peak >> 20} MiB"
    pdfinfo = subprocess.run(["pdfinfo", str(next((tmp_path / "var").rglob("archival.pdf")))],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{PAGES}$", pdfinfo, re.MULTILINE), pdfinfo
