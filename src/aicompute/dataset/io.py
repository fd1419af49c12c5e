"""Reading and writing datasets: YAML, CSV, JSON, Parquet, and Epoch AI's CSV.

Every reader validates row by row: a bad row is reported with its line number (the row number
for Parquet, the item number for JSON) and the reason, and the good rows still load.
Writers are atomic: the file is written beside its target and renamed over it.

>>> result = read_embedded()
>>> len(result.records) >= 32 and not result.errors
True
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aicompute._files import atomic_write
from aicompute.dataset.record import Record
from aicompute.errors import InputError

__all__ = [
    "FORMATS",
    "LoadResult",
    "RowError",
    "read",
    "read_embedded",
    "records_to_frame",
    "write",
]

FORMATS = ("yaml", "csv", "json", "parquet")

# columns of our flat (CSV / Parquet) form; lists are joined by " | ", estimates as JSON
FLAT_COLUMNS = (
    "id", "name", "organization", "date", "domain", "flop", "low_flop", "high_flop",
    "upper_bound", "confidence", "value_source", "parameters", "exclude_from_trend", "tags",
    "sources", "notes", "estimates",
)  # fmt: skip


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

    def frame(self):  # type: ignore[no-untyped-def]
        """The records as a pandas DataFrame (see :func:`records_to_frame`)."""
        return records_to_frame(self.records)


def _validation_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def _validate(rows: Iterable[tuple[int, dict[str, Any]]], source: str, kind: str) -> LoadResult:
    result = LoadResult(records=[], source=source, kind=kind)
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            record = Record.model_validate(row)
        except ValidationError as error:
            result.errors.append(
                RowError(line, _validation_message(error), str(row.get("name", "")))
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


def read_embedded() -> LoadResult:
    """The dataset shipped with aicompute: every ``data/*.yaml`` file of the package (the
    seed's records, then the curated records by period), validated together."""
    folder = resources.files("aicompute.dataset").joinpath("data")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    names.sort(key=lambda n: (n != "seed.yaml", n))
    rows: list[tuple[int, dict[str, Any]]] = []
    where: list[str] = []
    for name in names:
        for line, row in _yaml_rows(folder.joinpath(name).read_text("utf-8"), name):
            rows.append((len(where), row))
            where.append(f"{name}:{line}")
    result = _validate(rows, "embedded", "aicompute")

    def locate(error: RowError) -> RowError:
        message = re.sub(
            r"first on line (\d+)", lambda m: f"first at {where[int(m[1])]}", error.message
        )
        return RowError(0, f"{where[error.line]}: {message}", error.name)

    result.errors = [locate(e) for e in result.errors]
    return result


def _yaml_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, mapping) for each record of a YAML list."""
    import yaml

    try:
        loader = yaml.CSafeLoader  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - PyYAML without libyaml
        loader = yaml.SafeLoader
    try:
        nodes = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        raise InputError("data", f"{source}: not valid YAML ({error})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError("data", f"{source}: expected a list of records")
    lines = [item.start_mark.line + 1 for item in nodes.value] if nodes is not None else []
    rows = []
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else index + 1
        rows.append((line, item if isinstance(item, dict) else {"name": str(item)}))
    return rows


def _read_yaml_text(text: str, source: str) -> LoadResult:
    return _validate(_yaml_rows(text, source), source, "aicompute")


def _detect(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"yml": "yaml", "jsonl": "json"}.get(suffix, suffix)


def read(path: str | os.PathLike[str]) -> LoadResult:
    """Read a dataset file: ours in YAML, CSV, JSON or Parquet, or an Epoch AI CSV (recognised
    by its columns). Raises :class:`InputError` for a missing or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("data", f"no such file: {path}")
    fmt = _detect(path)
    if fmt not in FORMATS:
        raise InputError(
            "data", f"{path}: unknown format {path.suffix!r}; use .yaml, .csv, .json or .parquet"
        )
    if fmt == "parquet":
        return _read_parquet(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("data", f"{path}: not UTF-8 text") from None
    if fmt == "yaml":
        return _read_yaml_text(text, str(path))
    if fmt == "json":
        return _read_json_text(text, str(path))
    header = next(csv.reader(io.StringIO(text)), [])
    from aicompute.dataset import epoch

    if epoch.is_epoch_header(header):
        return epoch.read_epoch_text(text, str(path))
    return _validate(_csv_rows(text), str(path), "aicompute")


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return
    missing = {"name", "date"} - set(reader.fieldnames)
    if missing:
        raise InputError(
            "data",
            f"CSV lacks the column(s) {', '.join(sorted(missing))}; "
            f"expected aicompute's columns or Epoch AI's",
        )
    start = reader.line_num + 1
    for row in reader:
        yield start, _unflatten(row)
        start = reader.line_num + 1


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        if key in {"upper_bound", "exclude_from_trend"} and isinstance(value, str):
            value = value.lower() in {"true", "1", "yes", "y"}
        if key == "estimates" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = [{"method": "?", "inputs": {"unreadable": value}}]
        if key in {"sources", "tags"} and isinstance(value, str):
            value = [v.strip() for v in value.split(" | ") if v.strip()]
        out[key] = value
    return out


def _read_json_text(text: str, source: str) -> LoadResult:
    stripped = text.strip()
    try:
        if source.endswith(".jsonl"):
            data = [json.loads(line) for line in stripped.splitlines() if line.strip()]
        else:
            data = json.loads(stripped) if stripped else []
    except json.JSONDecodeError as error:
        message = f"{source}: not valid JSON (line {error.lineno}: {error.msg})"
        raise InputError("data", message) from None
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list):
        raise InputError("data", f'{source}: expected a list of records or {{"records": [...]}}')
    rows = [
        (i + 1, item if isinstance(item, dict) else {"name": str(item)})
        for i, item in enumerate(data)
    ]
    return _validate(rows, source, "aicompute")


def _read_parquet(path: Path) -> LoadResult:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises many types for a bad file
        raise InputError("data", f"{path}: cannot read Parquet ({error})") from None
    rows = []
    for i, row in enumerate(frame.to_dict(orient="records"), start=1):
        clean = {
            k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and v != v))
        }
        rows.append((i, _unflatten(clean)))
    return _validate(rows, str(path), "aicompute")


# --- writing ---------------------------------------------------------------------------------


def _flat(record: Record) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["tags"] = " | ".join(record.tags)
    data["sources"] = " | ".join(record.sources)
    data["estimates"] = (
        json.dumps(data["estimates"], separators=(",", ":")) if record.estimates else ""
    )
    return {column: data.get(column) for column in FLAT_COLUMNS}


def _atomic_write(path: Path, write_to: Any, binary: bool = False) -> None:
    atomic_write(path, write_to, binary)


def write(records: Iterable[Record], path: str | os.PathLike[str]) -> Path:
    """Write records to ``path`` in the format of its extension (.yaml, .csv, .json, .parquet),
    atomically."""
    path = Path(path)
    fmt = _detect(path)
    records = sorted(records, key=lambda r: (r.year, r.name))
    if fmt == "yaml":
        import yaml

        text = yaml.safe_dump(
            [r.to_dict() for r in records], sort_keys=False, allow_unicode=True, width=100
        )
        _atomic_write(path, lambda f: f.write(text))
    elif fmt == "json":
        text = json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False) + "\n"
        _atomic_write(path, lambda f: f.write(text))
    elif fmt == "csv":

        def write_csv(handle: Any) -> None:
            writer = csv.DictWriter(handle, fieldnames=FLAT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for record in records:
                writer.writerow(_flat(record))

        _atomic_write(path, write_csv)
    elif fmt == "parquet":
        import pandas as pd

        frame = pd.DataFrame([_flat(r) for r in records], columns=list(FLAT_COLUMNS))
        _atomic_write(path, lambda f: frame.to_parquet(f, index=False), binary=True)
    else:
        raise InputError(
            "out", f"unknown format {path.suffix!r}; use .yaml, .csv, .json or .parquet"
        )
    return path


# --- pandas ------------------------------------------------------------------------------------

FRAME_COLUMNS = (
    "id", "name", "organization", "date", "year", "domain", "flop", "low_flop", "high_flop",
    "pfs_days", "upper_bound", "confidence", "exclude_from_trend", "methods", "tags", "sources",
    "notes",
)  # fmt: skip


def records_to_frame(records: Iterable[Record]):  # type: ignore[no-untyped-def]
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
            "sources": list(r.sources), "notes": r.notes,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame = frame.astype({"flop": float, "low_flop": float, "high_flop": float, "year": float})
    return frame.sort_values(["year", "name"], kind="stable").reset_index(drop=True)
