"""Options shared by the commands that read datasets, and loading with row reports."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

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
    from :data:`aicompute.trends.fields.FILTER_FIELDS`, as the web's query parameters)."""
    from aicompute.trends.fields import FILTER_FIELDS

    field = next(f for f in FILTER_FIELDS if f.name == name)
    return typer.Option(f"--{name}", metavar=field.metavar, help=field.help)


Command = TypeVar("Command", bound=Callable[..., Any])


def filter_options(*names: str) -> Callable[[Command], Command]:
    """Give a command the record-filter options ``--NAME`` (from the library's
    :data:`~aicompute.trends.fields.FILTER_FIELDS`) in place of its ``filters`` parameter,
    which receives their values as one mapping, ready for ``RecordFilter.parse(**filters)``
    or ``select(frame, **filters)``. The CLI declares the filters once, here.
    """

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        options = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[Optional[str], _filter_option(name)],
            )
            for name in names
        ]
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name == "filters":
                parameters += options
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        @functools.wraps(command)
        def run(**values: Any) -> Any:
            filters = {name: values.pop(name) for name in names}
            return command(filters=filters, **values)

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run  # type: ignore[return-value]

    return decorate


FILTERS = ("search", "since", "until", "domain", "confidence", "frontier")
"""Every record filter, in the order the commands list them."""
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
