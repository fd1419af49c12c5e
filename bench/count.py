"""Counting benchmark: the 405B model at 8k context, and the other FLOP counters beside ours.

1. `aicompute count llama-3.1-405b --seq-len 8192` (forward + backward measured on the meta
   device) as a fresh process, from the built-in preset with no network: wall time and peak
   memory (targets: under 10 s and 600 MB on the 2-core machine).
2. For small models on real CPU tensors: fvcore, ptflops, thop and torch's FlopCounterMode
   (those installed), their time and their forward multiply-adds against aicompute's.

    python bench/count.py            # pip install fvcore ptflops thop  for the comparison
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _results import RESULTS, write_result

TARGET_S, TARGET_MB = 10.0, 600.0
SMALL = {
    "gpt2": {"seq_len": 1024},
    "bert-base": {"seq_len": 128},
    "vit-b16": {},
    "resnet50": {},
    "alexnet": {},
}


def big_run(repeat: int) -> dict[str, Any]:
    exe = shutil.which("aicompute")
    cmd = ([exe] if exe else [sys.executable, "-m", "aicompute"]) + [
        "count",
        "llama-3.1-405b",
        "--seq-len",
        "8192",
        "--json",
    ]
    times, peaks = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        peaks.append(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024)
    return {
        "command": " ".join(cmd[-5:]),
        "seconds": min(times),
        "peak_mb": max(peaks),
        "ok": min(times) < TARGET_S and max(peaks) < TARGET_MB,
    }


def _inputs(name: str, kwargs: dict[str, Any]):  # type: ignore[no-untyped-def]
    import torch

    if "seq_len" in kwargs:
        return torch.zeros(1, kwargs["seq_len"], dtype=torch.long)
    return torch.randn(1, 3, 224, 224)


def _fvcore(model, x):  # type: ignore[no-untyped-def]
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model, x)
    analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return analysis.total()  # fvcore reports multiply-adds


def _ptflops(model, x):  # type: ignore[no-untyped-def]
    from ptflops import get_model_complexity_info

    macs, _ = get_model_complexity_info(
        model,
        tuple(x.shape[1:]),
        as_strings=False,
        print_per_layer_stat=False,
        verbose=False,
        input_constructor=lambda _: x,
        backend="pytorch",
    )
    return macs


def _thop(model, x):  # type: ignore[no-untyped-def]
    from thop import profile

    macs, _ = profile(model, inputs=(x,), verbose=False)
    return macs


def _flop_counter_mode(model, x):  # type: ignore[no-untyped-def]
    from torch.utils.flop_counter import FlopCounterMode

    mode = FlopCounterMode(display=False)
    with mode:
        model(x)
    return mode.get_total_flops() / 2  # FLOP -> multiply-adds


TOOLS = {
    "fvcore": _fvcore,
    "ptflops": _ptflops,
    "thop": _thop,
    "FlopCounterMode": _flop_counter_mode,
}


def compare() -> list[dict[str, Any]]:
    import torch

    from aicompute.counting import count, presets

    rows = []
    for name, kwargs in SMALL.items():
        start = time.perf_counter()
        ours = count(name, backward="ratio", **kwargs).forward_macs
        rows.append(
            {
                "model": name,
                "tool": "aicompute (meta)",
                "macs": ours,
                "error": 0.0,
                "seconds": time.perf_counter() - start,
            }
        )
        torch.manual_seed(0)
        model = presets()[name].build().eval()
        x = _inputs(name, kwargs)
        for tool, fn in TOOLS.items():
            start = time.perf_counter()
            try:
                with (
                    torch.no_grad(),
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                ):
                    macs = float(fn(model, x))
                error = macs / ours - 1
            except ImportError:
                macs, error = None, None
                tool += " (not installed)"
            except Exception as exc:  # a counter that crashes is a result too
                macs, error = None, None
                tool += f" (failed: {type(exc).__name__})"
            rows.append(
                {
                    "model": name,
                    "tool": tool,
                    "macs": macs,
                    "error": error,
                    "seconds": time.perf_counter() - start,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "count.json")
    args = parser.parse_args()
    big = big_run(args.repeat)
    print(
        f"{big['command']}: {big['seconds']:.2f} s, peak {big['peak_mb']:.0f} MB "
        f"(targets {TARGET_S:g} s, {TARGET_MB:g} MB): {'ok' if big['ok'] else 'MISSED'}"
    )
    rows = compare()
    print(f"\n{'model':<10} {'tool':<34} {'forward MACs':>14} {'error':>8} {'seconds':>8}")
    for r in rows:
        macs = f"{r['macs'] / 1e9:.3f} G" if r["macs"] else "-"
        error = f"{r['error']:+.1%}" if r["error"] is not None else "-"
        print(f"{r['model']:<10} {r['tool']:<34} {macs:>14} {error:>8} {r['seconds']:8.2f}")
    write_result({"benchmark": "count", "llama_405b_8k": big, "comparison": rows}, args.out)


if __name__ == "__main__":
    main()
