"""A card's edges, for the card finder (ocr/card.py): a card's edge is a sharp step all around
it, even where its colour hardly differs from what it lies on (a pale card on white paper in
uneven light, whose shade across the frame differs more than the card does).

The edges kept are those stronger than the frame border's own texture (sensor noise, JPEG, the
paper's grain): Canny's lower threshold is the 99th percentile of the gradient along the border,
where the card never is. They serve twice:
- to check a quadrilateral: a card's four sides lie on edges (`supported`); one that a mask
  joined to a shaded corner of the paper, or cut short, has a side that does not;
- to outline the card where no mask holds it alone: edges near one another (the card's print,
  its outline broken by glare or shade) are joined into groups, and each group's convex hull is a
  region to fit a quadrilateral to (`hulls`). A hull is cut short where a group broke apart, so
  its quadrilateral is taken only if nothing is drawn just outside its sides (`clear_around`):
  on paper the card is the outermost print there is.
"""

from __future__ import annotations

import cv2
import numpy as np

BORDER = 12  # pixels of the reduced frame's edge whose gradient is the background's texture
TEXTURE = 99  # percentile of that gradient under which an edge is texture
LEAST = 6.0  # Canny's lower threshold at least (a clean, even frame has almost no texture)
JOIN = 17  # pixels of the reduced photo (1.7% of its long side) across which edges are one group
MIN_GROUP = 0.02  # of the frame: the bounding box of a group that may be a card
BAND = (0.01, 0.05)  # of the quadrilateral's diagonal: the band just outside each side looked at
CLEAR = 0.01  # the share of that band's pixels on an edge, at most, for nothing to be drawn there
NEAR = 2  # pixels of the reduced photo between a side and the edge it lies on, at most
ON_EDGES = 0.5  # the share of each side (its middle 80%) on an edge for the sides to be supported


def edges(lab: np.ndarray) -> np.ndarray:
    """Canny's edges of the reduced photo (8-bit L*a*b*, blurred) above the border's texture."""
    gradient = np.zeros(lab.shape[:2], np.float32)
    for channel in cv2.split(lab):  # as Canny measures a colour image: the strongest channel's
        dx, dy = cv2.Sobel(channel, cv2.CV_32F, 1, 0), cv2.Sobel(channel, cv2.CV_32F, 0, 1)
        np.maximum(gradient, cv2.magnitude(dx, dy), out=gradient)
    border = np.concatenate([part.ravel() for part in (gradient[:BORDER], gradient[-BORDER:],
                                                       gradient[:, :BORDER], gradient[:, -BORDER:])])
    low = max(LEAST, float(np.percentile(border, TEXTURE)))
    return cv2.Canny(lab, low, 3 * low, L2gradient=True)


def hulls(edge_map: np.ndarray) -> np.ndarray:
    """The convex hulls of the groups of edges large enough to be a card, filled."""
    joined = cv2.dilate(edge_map, np.ones((JOIN, JOIN), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = np.zeros_like(edge_map)
    for group in range(1, count):
        x, y, w, h, _ = stats[group]
        if w * h < MIN_GROUP * edge_map.size:
            continue
        ys, xs = np.nonzero((labels[y:y + h, x:x + w] == group) & (edge_map[y:y + h, x:x + w] > 0))
        points = np.stack([xs + x, ys + y], axis=1).astype(np.int32)
        cv2.fillConvexPoly(out, cv2.convexHull(points), 255)
    return out


def clear_around(edge_map: np.ndarray, corners: np.ndarray) -> bool:
    """Whether the band just outside each side of the quadrilateral (its middle 80%) holds
    almost no edges: a hull cut short by a gap in the card's outline has the rest of the card
    there."""
    diagonal = float(np.linalg.norm(corners[0] - corners[2]))
    centre = corners.mean(axis=0)
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        along = b - a
        outward = np.float32([along[1], -along[0]]) / max(float(np.linalg.norm(along)), 1.0)
        if np.dot((a + b) / 2 - centre, outward) < 0:
            outward = -outward
        start, end = a + 0.1 * along, a + 0.9 * along
        near, far = (outward * (share * diagonal) for share in BAND)
        band = np.zeros(edge_map.shape, np.uint8)
        cv2.fillConvexPoly(band, np.round([start + near, end + near, end + far, start + far]).astype(np.int32), 1)
        inside = band > 0
        if inside.any() and float((edge_map[inside] > 0).mean()) > CLEAR:
            return False
    return True


def supported(edge_map: np.ndarray, corners: np.ndarray) -> bool:
    """Whether each side of the quadrilateral lies on edges for ON_EDGES of its middle 80% at
    least (glare or a shadow can hide a stretch of a card's edge, never most of it)."""
    near = cv2.dilate(edge_map, np.ones((2 * NEAR + 1, 2 * NEAR + 1), np.uint8)) > 0
    height, width = near.shape
    steps = np.linspace(0.1, 0.9, 60, dtype=np.float32)[:, None]
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        points = np.round(a + (b - a) * steps).astype(np.int32)
        inside = (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
        on = np.zeros(len(points), bool)
        on[inside] = near[points[inside, 1], points[inside, 0]]
        if on.mean() < ON_EDGES:
            return False
    return True
