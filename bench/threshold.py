"""Threshold assessment: speed and memory of the Monte Carlo, and its calibration on published
runs.

Prints two tables and writes bench/results/threshold.json:

* wall time (best of several runs) and peak traced memory of :func:`aicompute.threshold.assess`
  for one stage and for a six-stage development, at 100,000 draws (the default) and
  1,000,000; target: six stages at the default under 0.1 s on the 2-core machine;
* for each published run of aicompute/calibration/runs.yaml and each method with inputs, the
  probability the assessment gives that the estimate lies at or below the authors' figure
  (PIT): calibrated probabilities are uniform. Reported: the mean, the share inside the 90%
  band, the histogram, and the Kolmogorov-Smirnov p-value against uniform.

    python bench/threshold.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from _results import RESULTS, write_result
from aicompute import calibration
from aicompute.threshold import assess

TARGET_S = 0.1
ONE = [{"name": "pre-training", "params": "405B", "tokens": "15.6T"}]
SIX = [
    {"name": "pre-training", "params": "405B", "tokens": "15.6T", "hardware": "H100",
     "count": 16384, "days": "50..60"},
    {"name": "long context", "kind": "continued_pretraining", "params": "405B", "tokens": "800B"},
    {"name": "SFT", "kind": "sft", "params": "405B", "tokens": "10B..30B"},
    {"name": "RL", "kind": "rl", "params": "405B", "tokens": "5B",
     "generation": {"params": "405B", "tokens": "100B..300B"}},
    {"name": "distillation", "kind": "distillation", "params": "405B", "tokens": "50B",
     "generation": {"params": "405B", "tokens": "50B"}},
    {"name": "synthetic data", "kind": "synthetic_data",
     "generation": {"params": "405B", "tokens": "1T"}},
]  # fmt: skip


def measure(stages: list[dict], samples: int, repeat: int) -> tuple[float, float]:
    """(best wall seconds, peak traced MiB) of one assessment."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        assess({"stages": stages, "samples": samples})
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    assess({"stages": stages, "samples": samples})
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def calibration_pits(samples: int = 20_000) -> list[dict]:
    rows = []
    for run in calibration.load().runs:
        for method, inputs in (("operations", run.operations), ("hardware", run.hardware)):
            if inputs:
                out = assess(
                    {"stages": [{"name": run.name, **inputs}], "samples": samples,
                     "thresholds": [run.reported_flop]}
                ).to_dict()  # fmt: skip
                pit = 1 - out["thresholds"][0]["p_exceed"]
                rows.append({"run": run.name, "method": method, "pit": pit})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "threshold.json")
    args = parser.parse_args()
    from scipy import stats

    assess({"stages": ONE, "samples": 1000})  # imports outside the timing
    timings = []
    print(f"{'assessment':<34} {'draws':>10} {'seconds':>8} {'peak MiB':>9}")
    for label, stages in (("one stage", ONE), ("six stages, ranges, two methods", SIX)):
        for samples in (100_000, 1_000_000):
            seconds, peak = measure(stages, samples, args.repeat)
            timings.append(
                {"case": label, "samples": samples, "seconds": seconds, "peak_mib": peak}
            )
            print(f"{label:<34} {samples:>10,} {seconds:8.3f} {peak:9.1f}")
    pits = calibration_pits()
    u = np.array([r["pit"] for r in pits])
    histogram = np.histogram(u, bins=10, range=(0, 1))[0].tolist()
    summary = {
        "estimates": len(u),
        "mean_pit": float(u.mean()),
        "inside_90": float(np.mean((u > 0.05) & (u < 0.95))),
        "near_median_share": float(np.mean(np.abs(u - 0.5) < 0.2)),
        "histogram_deciles": histogram,
        "ks_p_uniform": float(stats.kstest(u, "uniform").pvalue),
    }
    print()
    print(f"calibration on {summary['estimates']} published estimates: mean PIT "
          f"{summary['mean_pit']:.3f} (0.5 if unbiased), {summary['inside_90']:.0%} inside the "
          f"90% band, {summary['near_median_share']:.0%} within 0.2 of the median "
          f"(40% if uniform), KS p = {summary['ks_p_uniform']:.3f}")  # fmt: skip
    print("PIT deciles:", " ".join(str(h) for h in histogram))
    default = next(t for t in timings if t["samples"] == 100_000 and t["case"] != "one stage")
    ok = default["seconds"] < TARGET_S
    print(f"six stages at 100,000 draws under {TARGET_S} s: {'ok' if ok else 'MISSED'}")
    write_result(
        {"benchmark": "threshold", "timings": timings, "calibration": summary, "pits": pits,
         "ok": ok},
        args.out,
    )  # fmt: skip


if __name__ == "__main__":
    main()
