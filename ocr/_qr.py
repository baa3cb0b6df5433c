"""QR code adapter (OpenCV's detectors): the only place that decodes QR codes."""

from __future__ import annotations

import cv2
import numpy as np

# OpenCV's classic detector finds a code by its finder patterns; the ArUco-based one copes
# better with blur and perspective. Each is tried on the image and on an enlarged copy, since
# a code of small modules (a card photographed from afar) decodes only once enlarged.
_SCALES = (1.0, 2.0)


def decode(pixels: np.ndarray) -> tuple[str, np.ndarray] | None:
    """The first QR code's text (UTF-8 as the code holds it) and its four corners in ``pixels``."""
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    for scale in _SCALES:
        image = gray if scale == 1 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            try:
                text, points, _ = detector.detectAndDecode(image)
            except cv2.error:
                continue
            if text and points is not None:
                return text, points.reshape(-1, 2) / scale
    return None
