"""The record filters every face takes, declared once: the command line's options and the web's
query parameters are built from :data:`FILTER_FIELDS`. Light on purpose (no numpy, no
pydantic), so the command line can declare its options without loading the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

from aicompute.constants import CONFIDENCES

__all__ = ["FILTER_FIELDS", "FilterField"]


@dataclass(frozen=True)
class FilterField:
    """One record filter as every face shows it: the field's name, its help, its longest
    value and the placeholder the command line shows."""

    name: str
    help: str
    max_length: int
    metavar: str


FILTER_FIELDS: tuple[FilterField, ...] = (
    FilterField(
        "search",
        "Only names containing this text (A-Z in any case; % _ and \\ are plain characters).",
        200,
        "TEXT",
    ),
    FilterField("since", "From this date: YYYY, YYYY-MM or YYYY-MM-DD.", 10, "DATE"),
    FilterField("until", "Up to this date, inclusive.", 10, "DATE"),
    FilterField("domain", "Only these domains (comma-separated).", 200, "D"),
    FilterField(
        "confidence",
        f"Only these confidence levels: {', '.join(CONFIDENCES)}.",
        100,
        "C",
    ),
    FilterField("frontier", "top-N (e.g. top-5), record, or residual[:K].", 40, "RULE"),
)
"""The filters every face takes (the command line's options, the web's query parameters)."""
