"""Row-by-row validation shared by every reader (:mod:`aicompute.dataset.io` and
:mod:`aicompute.dataset.epoch`): a bad row becomes a :class:`RowError` with its line number,
and the good rows load into a :class:`LoadResult`.

Both readers import this module. ``io`` hands Epoch AI's CSV to ``epoch``; ``epoch`` never
imports ``io`` back (an import-linter contract in ``pyproject.toml`` keeps that cycle out).

>>> result = validate([(2, {"name": "A", "date": "2020", "flop": 1e20}), (3, {"name": "B"})],
...                   "example", "aicompute")
>>> len(result.records), [str(e).split(":")[0] for e in result.errors]
(1, ['line 3 (B)'])
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from aicompute.dataset.record import Record
from aicompute.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FRAME_COLUMNS",
    "BadRow",
    "LoadResult",
    "RowError",
    "csv_error",
    "records_to_frame",
    "validate",
    "validation_message",
]


@dataclass(frozen=True)
class RowError:
    """A row that did not load: where it is and why."""

    line: int
    message: str
    name: str = ""

    def __str__(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"line {self.line}{label}: {self.message}"


@dataclass
class LoadResult:
    """Records read from one source, the rows that failed, and what the source was."""

    records: list[Record]
    errors: list[RowError] = field(default_factory=list)
    source: str = ""
    kind: str = "aicompute"
    skipped: int = 0
    credit: str = ""
    updated: str = ""
    """When the source was last brought up to date (the embedded dataset says so)."""

    def frame(self) -> pd.DataFrame:
        """The records as a pandas DataFrame (see :func:`records_to_frame`)."""
        return records_to_frame(self.records)


def validation_message(error: ValidationError) -> str:
    """A pydantic error as one line: each failing field and why, ``;``-separated."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


@dataclass(frozen=True)
class BadRow:
    """A row already known to be bad before validation (e.g. a cell nested too deeply)."""

    message: str
    name: str = ""


def validate(
    rows: Iterable[tuple[int, dict[str, Any] | BadRow]], source: str, kind: str
) -> LoadResult:
    """Validate ``(line, row)`` pairs into records: a row that fails (or repeats an id) becomes
    a :class:`RowError` naming its line, and the good rows still load."""
    result = LoadResult(records=[], source=source, kind=kind)
    seen: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, BadRow):
            result.errors.append(RowError(line, row.message, row.name))
            continue
        try:
            record = Record.model_validate(row)
        except ValidationError as error:
            result.errors.append(
                RowError(line, validation_message(error), str(row.get("name", "")))
            )
            continue
        if record.id in seen:
            result.errors.append(
                RowError(
                    line,
                    f"duplicate id {record.id!r} (first on line {seen[record.id]})",
                    record.name,
                )
            )
            continue
        seen[record.id] = line
        result.records.append(record)
    return result


def csv_error(source: str, line: int, error: csv.Error) -> InputError:
    """A CSV parsing error as one line naming the file and line."""
    message = str(error)
    if "field larger than field limit" in message:
        message = f"a cell is longer than {csv.field_size_limit():,} characters, the CSV limit"
    return InputError("data", f"{source}: line {line}: {message}")


FRAME_COLUMNS = (
    "id", "name", "organization", "date", "year", "domain", "flop", "low_flop", "high_flop",
    "pfs_days", "upper_bound", "confidence", "exclude_from_trend", "methods", "tags", "sources",
    "notes", "compute_scope", "base_model", "date_source", "in_trend",
)  # fmt: skip


def records_to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """A DataFrame with one row per record, sorted by date: the columns of
    :data:`FRAME_COLUMNS` (``year`` is the fractional publication year)."""
    import pandas as pd

    rows = []
    for r in records:
        rows.append({
            "id": r.id, "name": r.name, "organization": r.organization, "date": r.date,
            "year": r.year, "domain": r.domain, "flop": r.flop, "low_flop": r.low_flop,
            "high_flop": r.high_flop, "pfs_days": r.pfs_days, "upper_bound": r.upper_bound,
            "confidence": r.confidence, "exclude_from_trend": r.exclude_from_trend,
            "methods": [e.method for e in r.estimates], "tags": list(r.tags),
            "sources": list(r.sources), "notes": r.notes, "compute_scope": r.compute_scope,
            "base_model": r.base_model, "date_source": r.date_source, "in_trend": r.in_trend,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame = frame.astype({"flop": float, "low_flop": float, "high_flop": float, "year": float})
    return frame.sort_values(["year", "name"], kind="stable").reset_index(drop=True)
