"""Score aicompute's 90% intervals against published training runs, and fit their spreads.

    python tools/calibrate.py            # table of every run, coverage, fitted spreads
    python tools/calibrate.py --json     # the same as JSON

The runs and the published utilization figures are in src/aicompute/calibration/runs.yaml.
Coverage is the fraction of reported figures inside the interval aicompute gives from the
facts alone; the fitted spreads are what src/aicompute/constants.py should hold (a test fails
when they drift apart). Results are written to bench/results/calibration.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from aicompute.calibration import coverage, fit, load, score
from aicompute.constants import METHOD_SPREAD, UTILIZATION_SPREAD

OUT = Path(__file__).resolve().parents[1] / "bench" / "results" / "calibration.json"


def main(argv: list[str]) -> None:
    calibration = load()
    scores = score(calibration)
    fitted = fit(calibration)
    groups: dict[str, list] = {}
    for s in scores:
        groups.setdefault(s.basis, []).append(s)
    result = {
        "runs": len(calibration.runs),
        "mfu_figures": fitted.utilization_n,
        "coverage": {
            "all": coverage(scores),
            "operations": coverage([s for s in scores if s.method == "operations"]),
            "hardware": coverage([s for s in scores if s.method == "hardware"]),
            **{basis: coverage(items) for basis, items in sorted(groups.items())},
        },
        "estimates": {basis: len(items) for basis, items in sorted(groups.items())},
        "fitted": {
            "utilization_spread": fitted.utilization_spread,
            **{f"method_spread.{k}": v for k, v in fitted.method_spread.items()},
        },
        "constants": {
            "utilization_spread": UTILIZATION_SPREAD,
            **{f"method_spread.{k}": METHOD_SPREAD[k] for k in fitted.method_spread},
        },
        "scores": [s.to_dict() for s in scores],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if "--json" in argv:
        print(json.dumps(result, indent=1))
        return
    out = Console(width=160)
    table = Table(title=f"{len(calibration.runs)} published runs: reported / estimated")
    for column in ("Run", "Method", "Basis", "Reported", "Estimate", "90% interval", "Ratio", "In"):
        table.add_column(column, justify="right" if column not in ("Run", "Basis") else "left")
    for s in scores:
        table.add_row(
            s.run,
            s.method,
            s.basis,
            f"{s.reported_flop:.2e}",
            f"{s.flop:.2e}",
            f"{s.low_flop:.2e} – {s.high_flop:.2e}",
            f"{s.reported_flop / s.flop:.2f}",
            "yes" if s.inside else "[red]no[/]",
        )
    out.print(table)
    summary = Table(title="Coverage of the 90% intervals")
    summary.add_column("Estimates")
    summary.add_column("n", justify="right")
    summary.add_column("inside", justify="right")
    for name, value in result["coverage"].items():
        n = len(scores) if name == "all" else sum(1 for s in scores if name in (s.method, s.basis))
        summary.add_row(name, str(n), f"{value:.0%}")
    out.print(summary)
    spreads = Table(title="Spreads (90% factors): fitted on these runs, and in constants.py")
    spreads.add_column("Spread")
    spreads.add_column("n", justify="right")
    spreads.add_column("fitted", justify="right")
    spreads.add_column("constants.py", justify="right")
    spreads.add_row(
        "utilization not given",
        str(fitted.utilization_n),
        f"{fitted.utilization_spread:.3g}",
        f"{UTILIZATION_SPREAD:.3g}",
    )
    for key, value in fitted.method_spread.items():
        spreads.add_row(
            f"method: {key}", str(fitted.method_n[key]), f"{value:.3g}", f"{METHOD_SPREAD[key]:.3g}"
        )
    out.print(spreads)
    out.print(f"Written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
