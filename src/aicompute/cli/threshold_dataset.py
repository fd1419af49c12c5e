"""``aicompute threshold --dataset``: the records against the thresholds, and how many models
crossed each line, year by year (:func:`aicompute.threshold.dataset.dataset_view`)."""

from __future__ import annotations

from typing import Any

from aicompute.cli.output import console, print_json, user_errors

__all__ = ["print_dataset_view"]

MIN_SHOWN = 0.05
"""Records shown in the human view: those above some line with at least this probability;
years shown: from the first that expects this many models above some line."""


def print_dataset_view(
    as_json: bool,
    thresholds: list[str] | None,
    *,
    records: list[Any] | None = None,
    samples: int | None = None,
    seed: int = 0,
) -> None:
    """Print the dataset view: JSON (``records``, ``by_year`` by threshold key, and the
    thresholds, draws and assumption behind them) or, for people, a table of years per
    threshold (expected count with its 90% interval, likely, certain) and the records above
    some line with at least 5% probability, by date. ``thresholds`` are keys
    (``eu-systemic``) or numbers of FLOP; by default 10^25 and 10^26 (``eu-systemic``,
    ``ca-sb53``). ``records`` default to the embedded dataset."""
    from aicompute.threshold.dataset import SAMPLES, dataset_view

    with user_errors():
        if records is None:
            from aicompute.dataset import read_embedded

            records = read_embedded().records
        view = dataset_view(
            records, thresholds, samples=SAMPLES if samples is None else samples, seed=seed
        )
    if as_json:
        print_json(view)
        return
    _print_tables(view)


def _print_tables(view: dict[str, Any]) -> None:
    from rich.table import Table

    from aicompute.threshold.dataset import at_least, probability_text, shown_years
    from aicompute.units import format_number

    out = console()
    lines = view["thresholds"]
    every = [row for rows in view["by_year"].values() for row in rows]
    years = set(shown_years(every, MIN_SHOWN))
    likely, certain = view["likely"], view["certain"]
    for line in lines:
        flop = format_number(line["flop"], "flop")
        table = Table(title=f"Models above {flop}: {line['name']}", title_justify="left")
        table.add_column("year")
        table.add_column("records", justify="right")
        table.add_column("expected", justify="right")
        table.add_column("90% interval", justify="right")
        table.add_column(f"likely (p ≥ {likely:.0%})", justify="right")
        table.add_column(f"certain (p ≥ {certain:.0%})", justify="right")
        for row in view["by_year"][line["key"]]:
            if row["year"] not in years:
                continue
            table.add_row(
                str(row["year"]),
                str(row["n"]),
                format_number(row["expected"], "number", 2),
                f"{row['low']} – {row['high']}",
                str(row["likely"]),
                str(row["certain"]),
            )
        out.print(table)
    out.print(
        f"{len(view['records'])} records with compute. Years from the first that expects "
        f"{MIN_SHOWN:g} models above a line (--json gives every year).",
        style="dim",
    )
    fields = [line["field"] for line in lines]
    shown = [r for r in view["records"] if any(at_least(r[f], MIN_SHOWN) for f in fields)]
    table = Table(
        title=f"Records above a line with probability {MIN_SHOWN:.0%} or more, by date",
        title_justify="left",
    )
    table.add_column("date", no_wrap=True)
    table.add_column("model")
    table.add_column("FLOP", justify="right")
    table.add_column("90% interval", justify="right")
    for line in lines:
        table.add_column(f"P(> {format_number(line['flop'], 'flop', 3)})", justify="right")
    for r in shown:
        bound = "< " if r["upper_bound"] else ""
        table.add_row(
            r["date"],
            r["name"],
            bound + format_number(r["flop"], "flop").removesuffix(" FLOP"),
            f"{format_number(r['low_flop'], 'flop', 2).removesuffix(' FLOP')} – "
            f"{format_number(r['high_flop'], 'flop', 2).removesuffix(' FLOP')}",
            *(probability_text(r[f]) for f in fields),
        )
    out.print(table)
    out.print(
        f"Each record's compute: its figure as the median, each side a half-normal in log "
        f"space fitted to that side of its 90% interval. {view['assumption']} "
        f"Intervals from {view['samples']:,} draws, seed {view['seed']}.",
        style="dim",
    )
    out.print(view["disclaimer"], style="dim")
