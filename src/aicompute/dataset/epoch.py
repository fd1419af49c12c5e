"""Import Epoch AI's "Notable AI Models" / "Data on AI Models" CSV.

Column names differ between snapshots (``System`` / ``Model``, ``Training compute (FLOPs)`` /
``(FLOP)``...); each field has a list of the names it has had. Multi-valued cells
(``Language,Vision``) are split; the domain is mapped onto aicompute's domains, keeping Epoch's
own label in the notes. Epoch's confidence labels (Confident, Likely, Speculative) are kept,
and every record carries the CC BY credit.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from typing import Any

from aicompute.dataset.rows import LoadResult, RowError, csv_error, validate

__all__ = ["COLUMNS", "CREDIT", "is_epoch_header", "map_domain", "read_epoch_text"]

CREDIT = "Epoch AI, 'Data on AI Models' (CC BY 4.0), https://epoch.ai/data/ai-models"

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Model", "System"),
    "organization": ("Organization", "Organization(s)"),
    "date": ("Publication date", "Publication Date"),
    "domain": ("Domain",),
    "flop": ("Training compute (FLOP)", "Training compute (FLOPs)"),
    "flop_notes": ("Training compute notes", "Compute notes"),
    "parameters": ("Parameters",),
    "confidence": ("Confidence",),
    "link": ("Link",),
    "reference": ("Reference",),
    "hardware": ("Training hardware",),
    "hardware_quantity": ("Hardware quantity",),
    "training_hours": ("Training time (hours)",),
    "frontier": ("Frontier model",),
    "dataset_size": (
        "Training dataset size (gradients)",
        "Training dataset size (datapoints)",
        "Training dataset size (total)",
    ),
}
"""Our field → the column names it has had in Epoch's snapshots."""

_DOMAIN_MAP = {
    "language": "Language", "vision": "Vision", "image generation": "Vision",
    "video": "Vision", "3d modeling": "Vision", "speech": "Speech", "audio": "Speech",
    "games": "Games", "multimodal": "Multimodal", "driving": "Autonomous Vehicles",
}  # fmt: skip
_CONFIDENCE = {"confident": "confident", "likely": "likely", "speculative": "speculative"}


def is_epoch_header(header: list[str]) -> bool:
    """True for a CSV header of Epoch AI's models data."""
    names = {h.strip() for h in header}
    has = {field for field, options in COLUMNS.items() if names & set(options)}
    return {"name", "date", "flop"} <= has


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


def map_domain(cell: str) -> str:
    """Epoch's (possibly multi-valued) domain → one of aicompute's domains.

    >>> map_domain("Language"), map_domain("Language,Vision"), map_domain("Biology")
    ('Language', 'Multimodal', 'Other')
    """
    mapped = {_DOMAIN_MAP.get(part.lower(), "Other") for part in _split(cell)}
    if "Multimodal" in mapped or len(mapped - {"Other"}) > 1:
        return "Multimodal"
    mapped.discard("Other")
    return mapped.pop() if mapped else "Other"


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    value = float(text)  # ValueError is reported with the row's line
    return value


def read_epoch_text(text: str, source: str) -> LoadResult:
    """Read Epoch's CSV text. Rows without training compute load with ``flop`` empty (they are
    left out of fits); a row with an unreadable date or number is reported with its line."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise csv_error(source, 1, error) from None
    column = {
        field: next((c for c in options if c in header), None) for field, options in COLUMNS.items()
    }
    errors: list[RowError] = []

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        start = reader.line_num + 1
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as error:  # e.g. a cell over the CSV field limit
                raise csv_error(source, start, error) from None
            line = start
            start = reader.line_num + 1
            get = _getter(raw, column)
            name = get("name")
            try:
                row = _row(get, name)
            except ValueError as error:
                errors.append(RowError(line, str(error), name))
                continue
            yield line, row

    result = validate(rows(), source, "epoch")
    result.errors = sorted(errors + result.errors, key=lambda e: e.line)
    result.credit = CREDIT
    return result


def _getter(raw: dict[str, str], column: dict[str, str | None]) -> Any:
    def get(field: str) -> str:
        name = column[field]
        return (raw.get(name) or "").strip() if name else ""

    return get


def _row(get: Any, name: str) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "date": get("date")}
    if not name:
        raise ValueError("the model has no name")
    if get("organization"):
        row["organization"] = ", ".join(_split(get("organization")))
    epoch_domain = get("domain")
    row["domain"] = map_domain(epoch_domain) if epoch_domain else "Other"
    for field in ("flop", "parameters"):
        try:
            value = _number(get(field))
        except ValueError:
            raise ValueError(f"{field}: not a number: {get(field)!r}") from None
        if value is not None:
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{field}: must be positive, got {get(field)!r}")
            row[field] = value
    confidence = _CONFIDENCE.get(get("confidence").lower(), "unknown")
    row["confidence"] = confidence
    row["sources"] = [get("link")] if get("link").startswith("http") else []
    notes = []
    if epoch_domain and epoch_domain != row["domain"]:
        notes.append(f"Epoch domain: {epoch_domain}")
    if get("hardware"):
        quantity = get("hardware_quantity")
        notes.append(f"hardware: {quantity + ' x ' if quantity else ''}{get('hardware')}")
    if get("flop_notes"):
        notes.append("Epoch's compute notes: " + " ".join(get("flop_notes").split())[:600])
    row["notes"] = "; ".join(notes)
    row["value_source"] = CREDIT if "flop" in row else ""
    row["tags"] = ["epoch"] + (["epoch-frontier"] if get("frontier").lower() == "true" else [])
    # ids keep Epoch's spelling where it is a valid id; other characters become "-"
    words = "-".join(name.lower().replace("+", " plus ").split())[:80]
    slug = re.sub(r"[^a-z0-9._-]+", "-", words).strip("-._")
    row["id"] = "epoch-" + (slug or "record")
    return row
