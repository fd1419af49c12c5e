"""Speed of the trend analysis: fit + 10,000-resample bootstrap + break search, 2,000 records.

Prints a table of wall times (best of several runs) and writes bench/results/trends.json.
Target: the whole of fit + bootstrap + break search under 1 s on the 2-core machine.

    python bench/trends.py [--records 2000] [--resamples 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from _results import RESULTS, write_result
from aicompute.trends import detect_eras, fit_trend
from aicompute.trends.eras import search_break

TARGET_S = 1.0


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two eras like the real data: 0.2 OOM/year before 2010, 0.6 after, 0.5 OOM scatter."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(1960, 2026, n))
    y = np.where(x < 2010, 0.2 * (x - 2010), 0.6 * (x - 2010)) + 18 + rng.normal(0, 0.5, n)
    return x, 10**y


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--break-resamples", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS / "trends.json")
    args = parser.parse_args()
    x, f = synthetic(args.records)
    y = np.log10(f)
    fit_trend(x, f, bootstrap=100)  # warm imports (scipy) outside the timing
    steps = {
        "fit (least squares + analytic CI)": lambda: fit_trend(x, f, bootstrap=0),
        f"fit + {args.resamples:,}-resample bootstrap": lambda: fit_trend(
            x, f, bootstrap=args.resamples
        ),
        "break search (kink + jump, all candidates)": lambda: search_break(x, y, 5),
        f"eras: search + {args.break_resamples}-resample break CI + segment fits": lambda: (
            detect_eras(x, f, bootstrap=args.break_resamples, fit_bootstrap=0)
        ),
    }
    rows = [{"step": name, "seconds": best_of(args.repeat, fn)} for name, fn in steps.items()]
    total = rows[1]["seconds"] + rows[2]["seconds"]
    rows.append(
        {
            "step": "fit + bootstrap + break search (target)",
            "seconds": total,
            "target_s": TARGET_S,
            "ok": total < TARGET_S,
        }
    )
    width = max(len(r["step"]) for r in rows)
    print(f"{args.records:,} records, best of {args.repeat}")
    for r in rows:
        flag = ("  ok" if r["ok"] else "  SLOW") if "ok" in r else ""
        print(f"  {r['step']:<{width}}  {r['seconds'] * 1000:9.2f} ms{flag}")
    result = {
        "benchmark": "trends",
        "records": args.records,
        "resamples": args.resamples,
        "break_resamples": args.break_resamples,
        "repeat": args.repeat,
        "rows": rows,
    }
    write_result(result, args.out)


if __name__ == "__main__":
    main()
