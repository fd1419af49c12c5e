"""Start-up time of the command line: `aicompute --help` and plain `aicompute estimate` runs.

Runs each command several times in a fresh process, prints a table of the wall times
(min / median / max) and writes them to bench/results/startup.json. Target: under 0.4 s on the
2-core machine, which needs the heavy libraries (numpy, pandas, torch...) imported lazily.

    python bench/startup.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import RESULTS, write_result

TARGET_S = 0.4
HEAVY = ("numpy", "pandas", "torch", "altair", "fastapi", "sqlalchemy", "scipy")

COMMANDS = {
    "aicompute --help": ["--help"],
    "aicompute estimate (operations)": [
        "estimate",
        "--forward-macs",
        "11.4G",
        "--examples",
        "1.2M",
        "--epochs",
        "128",
    ],
    "aicompute estimate (both methods)": [
        "estimate",
        "--forward-macs",
        "0.75G",
        "--examples",
        "1.2M",
        "--epochs",
        "90",
        "--hardware",
        "GTX 580",
        "--count",
        "2",
        "--days",
        "5.5",
    ],
    "aicompute estimate --json": ["estimate", "--params", "175B", "--tokens", "300B", "--json"],
    "aicompute hardware show": ["hardware", "show", "A100-SXM4-80GB"],
}


def _command() -> list[str]:
    exe = shutil.which("aicompute")
    return [exe] if exe else [sys.executable, "-m", "aicompute"]


def heavy_imports(args: list[str]) -> list[str]:
    """Heavy modules loaded while running ``aicompute ARGS`` in-process."""
    code = (
        "import sys, contextlib, io\n"
        "from aicompute.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try: app({args!r}, prog_name='aicompute')\n"
        "    except SystemExit: pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    return [m for m in out.split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args()
    base = _command()
    rows = []
    for label, extra in COMMANDS.items():
        subprocess.run(base + extra, capture_output=True, check=True)  # warm the file cache
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(base + extra, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "command": label,
                "min_s": min(times),
                "median_s": statistics.median(times),
                "max_s": max(times),
                "heavy_imports": heavy_imports(extra),
                "ok": statistics.median(times) < TARGET_S,
            }
        )
    width = max(len(r["command"]) for r in rows)
    print(
        f"{'command':<{width}}  {'min s':>6}  {'median s':>8}  {'max s':>6}  "
        f"{'heavy imports':<14} target<{TARGET_S}s"
    )
    for r in rows:
        print(
            f"{r['command']:<{width}}  {r['min_s']:6.3f}  {r['median_s']:8.3f}  "
            f"{r['max_s']:6.3f}  {','.join(r['heavy_imports']) or '-':<14} "
            f"{'ok' if r['ok'] else 'SLOW'}"
        )
    result = {
        "benchmark": "startup",
        "target_s": TARGET_S,
        "repeat": args.repeat,
        "rows": rows,
    }
    write_result(result, args.out)


if __name__ == "__main__":
    main()
