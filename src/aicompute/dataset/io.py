"""Reading and writing datasets: YAML, CSV, JSON, Parquet, and Epoch AI's CSV.

Every reader validates row by row: a bad row is reported with its line number (the row number
for Parquet, the item number for JSON) and the reason, and the good rows still load.
Writers are atomic: the file is written beside its target and renamed over it.

Files are read defensively: at most :data:`MAX_FILE_BYTES`, nested at most :data:`MAX_NESTING`
levels, and YAML without anchors or aliases (the "billion laughs" bomb). CSV cells that a
spreadsheet would run as a formula are written with a protective ``'`` (see :func:`write_csv`),
which reading takes off again.

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
from importlib import resources
from pathlib import Path
from typing import IO, Any

from aicompute._files import atomic_write
from aicompute.dataset.epoch import is_epoch_header, read_epoch_text
from aicompute.dataset.record import Record
from aicompute.dataset.rows import (
    FRAME_COLUMNS as FRAME_COLUMNS,  # re-exported: aicompute.dataset.io.FRAME_COLUMNS
)
from aicompute.dataset.rows import (
    BadRow,
    LoadResult,
    RowError,
    csv_error,
    records_to_frame,
    validate,
)
from aicompute.errors import InputError

__all__ = [
    "FORMATS",
    "LoadResult",
    "RowError",
    "csv_text",
    "read",
    "read_embedded",
    "records_to_frame",
    "write",
    "write_csv",
]

FORMATS = ("yaml", "csv", "json", "parquet")

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest dataset file read (50 MiB): Epoch AI's full CSV is 2 MB and the embedded dataset
0.3 MB, so this leaves ample room while bounding the memory and time one file can take."""

MAX_NESTING = 32
"""Deepest nesting of lists and mappings in a YAML or JSON file, or a CSV cell's JSON: a record
needs five levels (list, record, estimates, estimate, inputs); deeper input is a mistake or an
attack, and would run recursive code out of stack."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a CSV cell as a formula (OWASP, "CSV
Injection"); such cells are written with a leading ``'``."""

# columns of our flat (CSV / Parquet) form; lists are joined by " | ", estimates as JSON
FLAT_COLUMNS = (
    "id", "name", "organization", "date", "domain", "flop", "low_flop", "high_flop",
    "upper_bound", "confidence", "value_source", "parameters", "exclude_from_trend", "tags",
    "sources", "notes", "estimates", "compute_scope", "base_model", "date_source",
    "flop_by_scope",
)  # fmt: skip


def read_embedded() -> LoadResult:
    """The dataset shipped with aicompute: every ``data/*.yaml`` file of the package (the
    seed's records, then the curated records by period), validated together."""
    folder = resources.files("aicompute.dataset").joinpath("data")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    names.sort(key=lambda n: (n != "seed.yaml", n))
    rows: list[tuple[int, dict[str, Any]]] = []
    where: list[str] = []
    for name in names:
        text = folder.joinpath(name).read_text("utf-8")
        for line, row in _yaml_rows(text, name):
            rows.append((len(where), row))
            where.append(f"{name}:{line}")
    result = validate(rows, "embedded", "aicompute")

    def locate(error: RowError) -> RowError:
        message = re.sub(
            r"first on line (\d+)", lambda m: f"first at {where[int(m[1])]}", error.message
        )
        return RowError(0, f"{where[error.line]}: {message}", error.name)

    result.errors = [locate(e) for e in result.errors]
    result.updated = embedded_updated()
    return result


def embedded_updated() -> str:
    """The date the embedded dataset was last brought up to date (``data/about.json``)."""
    about = resources.files("aicompute.dataset").joinpath("data", "about.json")
    return str(json.loads(about.read_text("utf-8"))["updated"])


def _yaml_loader() -> Any:
    import yaml

    try:
        return yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - PyYAML without libyaml
        return yaml.SafeLoader


def _yaml_problem(error: Exception) -> str:
    """A YAML error as ``line N: problem`` on one line."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    parts = [getattr(error, "context", None), getattr(error, "problem", None)]
    problem = " ".join(" ".join(str(p) for p in parts if p).split())
    problem = problem or " ".join(str(error).split())
    where = f"line {mark.line + 1}: " if mark else ""
    return f"{where}not valid YAML ({problem})"


def _check_yaml_events(text: str, source: str) -> None:
    """Refuse anchors and aliases, and nesting deeper than
    :data:`MAX_NESTING`, from the parser's events, before anything is built (libyaml's parser
    does not recurse)."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_yaml_loader()):
        line = event.start_mark.line + 1
        anchored = isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)
        if anchored:
            raise InputError(
                "data",
                f"{source}: line {line}: YAML anchors and aliases (&name, *name) are not "
                "accepted; write each value out",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(
                    "data", f"{source}: line {line}: nested deeper than {MAX_NESTING} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, mapping) for each record of a YAML list; anchors and aliases are refused (the
    embedded dataset has none either)."""
    import yaml

    loader_class = _yaml_loader()
    try:
        _check_yaml_events(text, source)
        loader = loader_class(text)
        try:
            nodes = loader.get_single_node()
            data = None if nodes is None else loader.construct_document(nodes)
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise InputError("data", f"{source}: {_yaml_problem(error)}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError("data", f"{source}: expected a list of records")
    lines = [item.start_mark.line + 1 for item in nodes.value]
    rows = []
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else index + 1
        rows.append((line, item if isinstance(item, dict) else {"name": str(item)}))
    return rows


def _read_yaml_text(text: str, source: str) -> LoadResult:
    return validate(_yaml_rows(text, source), source, "aicompute")


def _detect(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"yml": "yaml", "jsonl": "json"}.get(suffix, suffix)


def read(path: str | os.PathLike[str]) -> LoadResult:
    """Read a dataset file: ours in YAML, CSV, JSON or Parquet, or an Epoch AI CSV (recognised
    by its columns). Raises :class:`InputError` for a missing, unreadable, too large or too
    deeply nested file, and for YAML with anchors or aliases."""
    path = Path(path)
    if not path.is_file():
        raise InputError("data", f"no such file: {path}")
    fmt = _detect(path)
    if fmt not in FORMATS:
        raise InputError(
            "data", f"{path}: unknown format {path.suffix!r}; use .yaml, .csv, .json or .parquet"
        )
    raw = _read_bytes(path)
    if fmt == "parquet":
        return _read_parquet(raw, path)
    try:
        text = raw.decode("utf-8-sig")  # no newline translation: CSV cells keep their \r
    except UnicodeDecodeError:
        raise InputError("data", f"{path}: not UTF-8 text") from None
    if fmt == "yaml":
        return _read_yaml_text(text, str(path))
    if fmt == "json":
        return _read_json_text(text, str(path))
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as error:
        raise csv_error(str(path), 1, error) from None
    if is_epoch_header(header):
        return read_epoch_text(text, str(path))
    return validate(_csv_rows(text, str(path)), str(path), "aicompute")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing one larger than :data:`MAX_FILE_BYTES`."""
    too_large = InputError(
        "data", f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB, the most aicompute reads"
    )
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise too_large
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError("data", f"{path}: cannot read it ({error.strerror or error})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise too_large
    return raw


def _csv_rows(text: str, source: str = "CSV") -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise csv_error(source, 1, error) from None
    if fieldnames is None:
        return
    missing = {"name", "date"} - set(fieldnames)
    if missing:
        raise InputError(
            "data",
            f"CSV lacks the column(s) {', '.join(sorted(missing))}; "
            f"expected aicompute's columns or Epoch AI's",
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise csv_error(source, start, error) from None
        yield start, _unflatten(row, protected=True)
        start = reader.line_num + 1


def _protect(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: ``=1+1`` → ``'=1+1``.

    A cell that already starts with quotes before a formula character gets one more quote, so
    :func:`_unprotect` gives back exactly what was written.

    >>> _protect("=HYPERLINK(1)"), _protect("'=x"), _protect("it's"), _protect("-")
    ("'=HYPERLINK(1)", "''=x", "it's", "'-")
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def _unprotect(text: str) -> str:
    """Undo :func:`_protect`.

    >>> [_unprotect(_protect(t)) for t in ("=x", "'=x", "''+y", "'plain", "")]
    ['=x', "'=x", "''+y", "'plain", '']
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def _unflatten(row: dict[str, Any], protected: bool = False) -> dict[str, Any] | BadRow:
    """A flat (CSV / Parquet) row as a record's fields; ``protected`` cells (our CSV) lose the
    ``'`` that :func:`_protect` added."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
            if protected:
                value = _unprotect(value)
        if key in {"upper_bound", "exclude_from_trend"} and isinstance(value, str):
            value = value.lower() in {"true", "1", "yes", "y"}
        if key == "flop_by_scope" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return BadRow("flop_by_scope: not a JSON object", str(row.get("name", "")))
        if key == "estimates" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = [{"method": "?", "inputs": {"unreadable": value}}]
            except RecursionError:
                value = None
            if value is None or _too_deep(value, 3):
                return BadRow(
                    f"estimates: nested deeper than {MAX_NESTING} levels", str(row.get("name", ""))
                )
        if key in {"sources", "tags"} and isinstance(value, str):
            value = [v.strip() for v in value.split(" | ") if v.strip()]
        out[key] = value
    return out


def _too_deep(data: Any, depth: int = 1) -> bool:
    """True when lists and mappings nest deeper than :data:`MAX_NESTING` (``data`` itself at
    level ``depth``); iterative, so any depth is safe to check."""
    stack = [(data, depth)]
    while stack:
        value, level = stack.pop()
        if level > MAX_NESTING:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _json_value(text: str, source: str, where: str = "", depth: int = 1) -> Any:
    """``json.loads`` with one-line errors, refusing nesting deeper than :data:`MAX_NESTING`."""
    too_deep = InputError("data", f"{source}: {where}nested deeper than {MAX_NESTING} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        line = f"line {error.lineno}" if not where else where.rstrip(": ")
        message = f"{source}: not valid JSON ({line}: {error.msg})"
        raise InputError("data", message) from None
    except RecursionError:
        raise too_deep from None
    if isinstance(data, (dict, list)) and _too_deep(data, depth):
        if isinstance(data, list) and not where:  # name the item, as bad rows do
            item = next((i for i, v in enumerate(data, 1) if _too_deep([v], depth)), None)
            where = f"item {item}: " if item else ""
        raise InputError("data", f"{source}: {where}nested deeper than {MAX_NESTING} levels")
    return data


def _read_json_text(text: str, source: str) -> LoadResult:
    stripped = text.strip()
    if source.endswith(".jsonl"):
        # JSON Lines: one value per "\n"-ended line (not str.splitlines: a JSON string may hold
        # U+2028 and other characters that it treats as line breaks)
        numbered = [
            (n, _json_value(line, source, f"line {n}: ", depth=2))
            for n, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
        data: Any = [item for _, item in numbered]
        lines = [n for n, _ in numbered]
    else:
        data = _json_value(stripped, source) if stripped else []
        lines = []
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list):
        raise InputError("data", f'{source}: expected a list of records or {{"records": [...]}}')
    rows: list[tuple[int, dict[str, Any] | BadRow]] = [
        (lines[i] if lines else i + 1, item if isinstance(item, dict) else {"name": str(item)})
        for i, item in enumerate(data)
    ]
    return validate(rows, source, "aicompute")


def _read_parquet(raw: bytes, path: Path) -> LoadResult:
    import pandas as pd

    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as error:  # pyarrow raises many types for a bad file
        message = " ".join(str(error).split())[:300]
        raise InputError("data", f"{path}: cannot read Parquet ({message})") from None
    rows = []
    for i, row in enumerate(frame.to_dict(orient="records"), start=1):
        clean = {
            k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and v != v))
        }
        rows.append((i, _unflatten(clean)))
    return validate(rows, str(path), "aicompute")


# --- writing ---------------------------------------------------------------------------------


def _flat(record: Record) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    data["tags"] = " | ".join(record.tags)
    data["sources"] = " | ".join(record.sources)
    data["estimates"] = (
        json.dumps(data["estimates"], separators=(",", ":")) if record.estimates else ""
    )
    data["flop_by_scope"] = json.dumps(record.flop_by_scope) if record.flop_by_scope else ""
    return {column: data.get(column) for column in FLAT_COLUMNS}


def write_csv(handle: IO[str], records: Iterable[Record]) -> None:
    """Write ``records``, in the order given, as aicompute's CSV to an open text ``handle``
    (open files with ``newline=""``). Lines end with CRLF (RFC 4180), so a cell holding a
    carriage return is quoted and reads back unchanged.

    A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return) is written with a leading ``'``, as OWASP advises; a cell
    that starts with quotes before such a character gets one more. :func:`read` takes exactly
    that one quote off again, so the round trip is exact.

    >>> r = Record(name="=HYPERLINK(1)", date="2020", flop=1e20, notes="-5 dB; it's fine")
    >>> buffer = io.StringIO()
    >>> write_csv(buffer, [r])
    >>> buffer.getvalue().splitlines()[1].split(",")[:2]
    ['hyperlink-1', "'=HYPERLINK(1)"]
    """
    writer = csv.DictWriter(handle, fieldnames=FLAT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {k: _protect(v) if isinstance(v, str) else v for k, v in _flat(record).items()}
        )


def csv_text(records: Iterable[Record]) -> str:
    """The CSV of :func:`write_csv` as a string (e.g. for a download)."""
    buffer = io.StringIO(newline="")
    write_csv(buffer, records)
    return buffer.getvalue()


def _plain_dumper() -> Any:
    import yaml

    class PlainDumper(yaml.SafeDumper):
        """YAML without anchors or aliases: a repeated value is written out each time (the
        reader refuses aliases)."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    return PlainDumper


def write(records: Iterable[Record], path: str | os.PathLike[str]) -> Path:
    """Write records to ``path`` in the format of its extension (.yaml, .csv, .json, .parquet),
    atomically: the file is written beside ``path`` and renamed over it, so an error leaves
    the old file whole and no partial file. Raises :class:`OSError` (with ``filename``) when the
    file cannot be written."""
    path = Path(path)
    fmt = _detect(path)
    records = sorted(records, key=lambda r: (r.year, r.name))
    if fmt == "yaml":
        import yaml

        text = yaml.dump(
            [r.to_dict() for r in records],
            Dumper=_plain_dumper(),
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        atomic_write(path, lambda f: f.write(text))
    elif fmt == "json":
        text = json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, lambda f: f.write(text))
    elif fmt == "csv":
        atomic_write(path, lambda f: write_csv(f, records))
    elif fmt == "parquet":
        import pandas as pd

        frame = pd.DataFrame([_flat(r) for r in records], columns=list(FLAT_COLUMNS))
        atomic_write(path, lambda f: frame.to_parquet(f, index=False), binary=True)
    else:
        raise InputError(
            "out", f"unknown format {path.suffix!r}; use .yaml, .csv, .json or .parquet"
        )
    return path
