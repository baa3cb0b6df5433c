"""What extraction produces for one field."""

from __future__ import annotations

from dataclasses import dataclass, replace

REVIEW_BELOW = 0.7  # a field read with less confidence than this goes to the clerk


@dataclass(frozen=True)
class ExtractedField:
    value: str
    confidence: float  # 0..1
    page: int  # 1-based
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the upright page
    review: bool = False
    problem: str | None = None  # why validation doubts the value, for the clerk

    def doubted(self, problem: str, at_most: float = 1.0) -> ExtractedField:
        """The value kept for the clerk: marked for review, saying why, no surer than ``at_most``."""
        return replace(self, confidence=min(self.confidence, at_most), review=True, problem=problem)

    def to_json(self) -> dict:
        """The shape of a field in the manifest (DESIGN.md), with the review hints."""
        return {"value": self.value, "confidence": round(self.confidence, 4), "page": self.page,
                "bbox": list(self.bbox), "review": self.review, "problem": self.problem}
