"""Time of `aicompute report` end to end (a fresh process, as a user runs it).

Runs the command on the embedded dataset and, when it is beside the project, on Epoch AI's
CSV; prints a table and writes bench/results/report.json. Target: under 15 s for the embedded
dataset on the 2-core machine.

    python bench/report.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import RESULTS, write_result

TARGET_S = 15.0
EPOCH = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "external"
    / ("epoch-notable-ai-models-2025-10.csv")
)


def command() -> list[str]:
    exe = shutil.which("aicompute")
    return [exe] if exe else [sys.executable, "-m", "aicompute"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "report.json")
    args = parser.parse_args()
    cases = {"embedded dataset": []}
    if EPOCH.is_file():
        cases["Epoch AI CSV (942 models)"] = ["--data", str(EPOCH)]
    rows = []
    for label, extra in cases.items():
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                subprocess.run(
                    [*command(), "report", "--out", f"{tmp}/report", *extra],
                    check=True,
                    capture_output=True,
                )
                times.append(time.perf_counter() - start)
        rows.append(
            {
                "dataset": label,
                "min_s": min(times),
                "median_s": statistics.median(times),
                "target_s": TARGET_S if label == "embedded dataset" else None,
            }
        )
    width = max(len(r["dataset"]) for r in rows)
    print(f"{'dataset':<{width}}  {'min s':>6}  {'median s':>8}  target")
    for r in rows:
        target = (
            f"<{TARGET_S:g} s {'ok' if r['median_s'] < TARGET_S else 'SLOW'}"
            if r["target_s"]
            else "-"
        )
        print(f"{r['dataset']:<{width}}  {r['min_s']:6.2f}  {r['median_s']:8.2f}  {target}")
    write_result({"benchmark": "report", "repeat": args.repeat, "rows": rows}, args.out)


if __name__ == "__main__":
    main()
