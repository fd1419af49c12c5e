"""Records of training runs with provenance, the embedded dataset, and file I/O.

>>> from aicompute import dataset
>>> frame = dataset.load()                      # the embedded dataset as a DataFrame
>>> frame.loc[frame.name == "AlphaGoZero", "pfs_days"].round(0).item()
1891.0
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from aicompute.dataset.io import (
    FORMATS,
    LoadResult,
    RowError,
    csv_text,
    read,
    read_embedded,
    records_to_frame,
    write,
    write_csv,
)
from aicompute.dataset.record import (
    COMPUTE_SCOPES,
    CONFIDENCES,
    DATE_SOURCES,
    DOMAIN_RULE,
    DOMAINS,
    TREND_SCOPE,
    EstimateInputs,
    Record,
    parse_date,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPUTE_SCOPES",
    "CONFIDENCES",
    "DATE_SOURCES",
    "DOMAINS",
    "DOMAIN_RULE",
    "FORMATS",
    "TREND_SCOPE",
    "EstimateInputs",
    "LoadResult",
    "Record",
    "RowError",
    "csv_text",
    "load",
    "load_records",
    "parse_date",
    "read",
    "read_embedded",
    "records_to_frame",
    "write",
    "write_csv",
]


def load_records(
    paths: Iterable[str | os.PathLike[str]] = (), *, embedded: bool | None = None
) -> tuple[list[Record], list[LoadResult]]:
    """Records from ``paths`` (and the embedded dataset when ``embedded`` is True, or when no
    path is given). A record whose id is already loaded replaces the earlier one, so a user's
    file can correct embedded records. Returns the merged records and each source's result."""
    paths = list(paths)
    use_embedded = embedded if embedded is not None else not paths
    results = ([read_embedded()] if use_embedded else []) + [read(p) for p in paths]
    merged: dict[str, Record] = {}
    for result in results:
        for record in result.records:
            merged[record.id] = record
    return list(merged.values()), results


def load(
    paths: Iterable[str | os.PathLike[str]] = (), *, embedded: bool | None = None
) -> pd.DataFrame:
    """The records of :func:`load_records` as a pandas DataFrame, sorted by date."""
    records, _ = load_records(paths, embedded=embedded)
    return records_to_frame(records)
