"""What extraction produces for one field."""

from __future__ import annotations

from dataclasses import dataclass

REVIEW_BELOW = 0.7  # a field read with less confidence than this goes to the clerk


@dataclass(frozen=True)
class ExtractedField:
    value: str
    confidence: float  # 0..1
    page: int  # 1-based
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the upright page
    review: bool = False
    problem: str | None = None  # why validation doubts the value, for the clerk

    def to_json(self) -> dict:
        """The shape of a field in the manifest (DESIGN.md), with the review hints."""
        return {"value": self.value, "confidence": round(self.confidence, 4), "page": self.page,
                "bbox": list(self.bbox), "review": self.review, "problem": self.problem}
