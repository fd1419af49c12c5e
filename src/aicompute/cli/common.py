"""Options shared by the commands that read datasets, and loading with row reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

DataOpt = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--data",
        metavar="FILE",
        help="Dataset file(s): aicompute YAML/CSV/JSON/Parquet or an Epoch AI CSV. "
        "Default: the embedded dataset.",
    ),
]
WithEmbeddedOpt = Annotated[
    bool,
    typer.Option("--with-embedded", help="Merge --data files with the embedded dataset."),
]


def _filter_option(name: str) -> Any:
    """The ``--NAME`` option of one of the library's record filters (its help and placeholder
    from :data:`aicompute.trends.select.FILTER_FIELDS`, as the web's query parameters)."""
    from aicompute.trends.select import FILTER_FIELDS

    field = next(f for f in FILTER_FIELDS if f.name == name)
    return typer.Option(f"--{name}", metavar=field.metavar, help=field.help)


SearchOpt = Annotated[Optional[str], _filter_option("search")]
SinceOpt = Annotated[Optional[str], _filter_option("since")]
UntilOpt = Annotated[Optional[str], _filter_option("until")]
DomainOpt = Annotated[Optional[str], _filter_option("domain")]
ConfidenceOpt = Annotated[Optional[str], _filter_option("confidence")]
FrontierOpt = Annotated[Optional[str], _filter_option("frontier")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, max=2**63 - 1, help="Seed of the bootstrap (0 or more).")
]


def load(data: list[Path] | None, with_embedded: bool = False):
    """Load the records, reporting each bad row on stderr: (records, frame, results)."""
    from aicompute.dataset import load_records, records_to_frame

    records, results = load_records(data or [], embedded=True if with_embedded else None)
    report_rows(results)
    return records, records_to_frame(records), results


def load_frame(data: list[Path] | None, with_embedded: bool = False):
    """Load the records (reporting each bad row on stderr) and return (frame, results)."""
    _, frame, results = load(data, with_embedded)
    return frame, results


def report_rows(results: list[Any], limit: int = 20) -> None:
    """One line per bad row on stderr (the first ``limit`` per file), and a count."""
    for result in results:
        for error in result.errors[:limit]:
            sys.stderr.write(f"aicompute: {result.source}: {error}\n")
        if len(result.errors) > limit:
            sys.stderr.write(
                f"aicompute: {result.source}: ... and {len(result.errors) - limit} more bad rows\n"
            )
        if result.errors:
            sys.stderr.write(
                f"aicompute: {result.source}: {len(result.records)} rows loaded, "
                f"{len(result.errors)} skipped\n"
            )


def credits(results: list[Any]) -> list[str]:
    """Data credits to print with results."""
    out = []
    for result in results:
        if result.credit and result.credit not in out:
            out.append(result.credit)
    return out
