"""QR code adapter (zxing-cpp, then OpenCV's detectors): the only place that decodes QR codes."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

# zxing-cpp reads most codes, fast; OpenCV's classic detector finds a code by its finder patterns
# and its ArUco-based one copes with blur and perspective, so they are asked when zxing-cpp
# finds nothing. A code found but not decoded is tried again enlarged: one of small modules (a
# card photographed from afar) decodes only then.
ENLARGE = 2.0


def decode(pixels: np.ndarray, thorough: bool = True) -> tuple[str, np.ndarray] | None:
    """The first QR code's text (UTF-8 as the code holds it) and its four corners in ``pixels``.
    Not ``thorough``: zxing-cpp alone (some 0.04 s on an A4 page at 300 dpi, where OpenCV's
    detectors take 0.3 s), for pages that rarely hold a code at all."""
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    return _zxing(gray) or (_opencv(gray) if thorough else None)


def _zxing(gray: np.ndarray) -> tuple[str, np.ndarray] | None:
    for result in zxingcpp.read_barcodes(np.ascontiguousarray(gray), formats=zxingcpp.BarcodeFormat.QRCode):
        try:
            text = result.bytes.decode("utf-8")
        except UnicodeDecodeError:
            text = result.text
        if text:
            p = result.position
            corners = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
            return text, np.float32([[c.x, c.y] for c in corners])
    return None


def _opencv(gray: np.ndarray) -> tuple[str, np.ndarray] | None:
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        try:
            found, points = detector.detect(gray)
            if not found or points is None:
                continue
            text = detector.decode(gray, points)[0]
            points = points.reshape(-1, 2)
            if text:
                return text, points
            enlarged = _enlarged(gray, points)
            if enlarged is not None:
                text, _, _ = detector.detectAndDecode(enlarged)
                if text:
                    return text, points
        except cv2.error:
            continue
    return None


def _enlarged(gray: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The code's surroundings cut out and enlarged."""
    x0, y0 = np.floor(points.min(axis=0)).astype(int)
    x1, y1 = np.ceil(points.max(axis=0)).astype(int)
    margin = max(8, (x1 - x0) // 4)
    x0, y0 = max(0, x0 - margin), max(0, y0 - margin)
    x1, y1 = min(gray.shape[1], x1 + margin), min(gray.shape[0], y1 + margin)
    if x1 - x0 < 10 or y1 - y0 < 10:
        return None
    crop = gray[y0:y1, x0:x1]
    return cv2.resize(crop, None, fx=ENLARGE, fy=ENLARGE, interpolation=cv2.INTER_CUBIC)
