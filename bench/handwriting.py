"""Digits written by hand with a pen, as clerks fill the number and the day into the blanks a
typed decision or letter leaves for them ("Số:      /QĐ-UBND", "ngày      tháng 01 năm 2025").

Each digit is a few strokes on a unit cell (x to the right, y down from the top of the digit to
its baseline); a writer slants them, wobbles them, presses unevenly and spaces them loosely.
Everything is a pure function of the text and the writer's random generator.
"""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

# Strokes per digit on a cell 0.6 wide and 1 high; each stroke one pen-down polyline.
_OVAL = [(0.3 + 0.28 * math.sin(2 * math.pi * k / 16), 0.5 - 0.5 * math.cos(2 * math.pi * k / 16))
         for k in range(17)]
STROKES: dict[str, list[list[tuple[float, float]]]] = {
    "0": [_OVAL],
    "1": [[(0.12, 0.25), (0.36, 0.0), (0.34, 1.0)]],
    "2": [[(0.05, 0.25), (0.15, 0.05), (0.35, 0.0), (0.52, 0.12), (0.5, 0.35), (0.05, 1.0), (0.58, 0.98)]],
    "3": [[(0.05, 0.1), (0.3, 0.0), (0.5, 0.12), (0.45, 0.35), (0.25, 0.47), (0.5, 0.58), (0.55, 0.8),
           (0.35, 1.0), (0.05, 0.92)]],
    "4": [[(0.42, 1.0), (0.42, 0.0), (0.0, 0.68), (0.6, 0.68)]],
    "5": [[(0.55, 0.0), (0.12, 0.0), (0.08, 0.45), (0.35, 0.4), (0.55, 0.6), (0.5, 0.88), (0.3, 1.0),
           (0.05, 0.92)]],
    "6": [[(0.5, 0.05), (0.3, 0.0), (0.1, 0.3), (0.05, 0.7), (0.2, 1.0), (0.45, 0.95), (0.55, 0.72),
           (0.4, 0.52), (0.15, 0.55), (0.07, 0.7)]],
    "7": [[(0.02, 0.02), (0.58, 0.0), (0.25, 1.0)]],
    "8": [[(0.3, 0.48), (0.08, 0.3), (0.15, 0.05), (0.4, 0.02), (0.5, 0.25), (0.3, 0.48), (0.05, 0.7),
           (0.15, 0.97), (0.45, 0.97), (0.55, 0.72), (0.3, 0.48)]],
    "9": [[(0.52, 0.3), (0.35, 0.48), (0.1, 0.4), (0.08, 0.15), (0.3, 0.0), (0.52, 0.1), (0.52, 0.3),
           (0.45, 1.0)]],
}
INKS = {"blue": (30, 50, 150), "black": (30, 30, 40)}


def width(text: str, height: float) -> float:
    """How wide `text` comes out written `height` pixels high (before the writer's looseness)."""
    return len(text) * 0.78 * height


def write(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, height: float,
          rng: random.Random, ink: str = "blue") -> None:
    """Write the digits of `text` from `x` on `baseline`, each `height` pixels high (about)."""
    slant = rng.uniform(0.1, 0.3)  # most hands lean right
    pressure = height * rng.uniform(0.08, 0.13)
    for digit in text:
        size = height * rng.uniform(0.9, 1.1)
        top = baseline - size + rng.uniform(-0.06, 0.06) * height
        for stroke in STROKES[digit]:
            shaky = _wobble(stroke, 0.05, rng)
            _stroke(draw, [(x + (px + slant * (1 - py)) * size, top + py * size) for px, py in shaky],
                    pressure, INKS[ink])
        x += size * rng.uniform(0.72, 0.85)


def _stroke(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], pressure: float,
            colour: tuple[int, int, int]) -> None:
    """One smooth pen-down line through `points`, pressed harder in the middle."""
    path = _densify(_densify(points, 4), 2)
    for i in range(len(path) - 1):
        middle = math.sin(math.pi * (i + 0.5) / (len(path) - 1))
        draw.line((path[i], path[i + 1]), fill=colour, width=max(2, round(pressure * (0.65 + 0.5 * middle))))
        draw.ellipse((path[i + 1][0] - pressure / 3, path[i + 1][1] - pressure / 3,
                      path[i + 1][0] + pressure / 3, path[i + 1][1] + pressure / 3), fill=colour)  # round joins


def _densify(points: list[tuple[float, float]], per_segment: int) -> list[tuple[float, float]]:
    """`points` with `per_segment` points on every segment, corners rounded by a moving average."""
    dense = [(a[0] + (b[0] - a[0]) * t / per_segment, a[1] + (b[1] - a[1]) * t / per_segment)
             for a, b in zip(points, points[1:], strict=False) for t in range(per_segment)] + [points[-1]]
    return [dense[0], *[((p[0] + q[0] + r[0]) / 3, (p[1] + q[1] + r[1]) / 3)
                        for p, q, r in zip(dense, dense[1:], dense[2:], strict=False)], dense[-1]]


def _wobble(points: list[tuple[float, float]], amount: float, rng: random.Random) -> list[tuple[float, float]]:
    """Where the hand actually went: each turning point a little off, neighbours drifting together."""
    dx = dy = 0.0
    out = []
    for x, y in points:
        dx = 0.5 * dx + rng.gauss(0, amount)
        dy = 0.5 * dy + rng.gauss(0, amount)
        out.append((x + dx, y + dy))
    return out
