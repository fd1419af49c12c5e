"""Limits on what an input can cost: every refusal is an InputError naming the input, raised
before the work it bounds (so these tests are fast by construction, not timed)."""

from __future__ import annotations

import builtins
import contextlib
import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import aicompute
import aicompute.economics
from aicompute import trends
from aicompute.cli import app
from aicompute.constants import (
    MAX_ARCHITECTURE_CHARS,
    MAX_ARCHITECTURE_LAYERS,
    MAX_ARCHITECTURE_REPEAT,
    MAX_ARCHITECTURE_SIZE,
    MAX_BOOTSTRAP,
    MAX_CONFIG_BYTES,
    MAX_COUNT_SIZE,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
)
from aicompute.counting import limits
from aicompute.errors import InputError
from aicompute.estimation import FIELDS, count_architecture, estimate_from
from aicompute.estimation import architecture as arch_module
from aicompute.units import parse_count, parse_number, parse_range

runner = CliRunner()


def refused(field: str | None, needle: str, call: Any, *args: Any, **kwargs: Any) -> str:
    """Run ``call`` and check it raises InputError naming ``field`` with ``needle``."""
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    assert info.value.field == field, str(info.value)
    assert needle in info.value.message, str(info.value)
    return info.value.message


# -- the layer-description language ------------------------------------------------------------


def test_a_huge_repeat_is_refused_naming_its_line() -> None:
    message = refused(
        "architecture",
        f"line 2: repeat=1000000000 is over the limit of {MAX_ARCHITECTURE_REPEAT:,}",
        aicompute.estimate,
        architecture="input 3; dense 4 repeat=1000000000",
        tokens="1",
    )
    assert len(message) < 200
    refused(
        "architecture",
        "100,000 digits",
        count_architecture,
        "input 3\ndense 4 repeat=" + "9" * 100_000,
    )


def test_layers_are_multiplied_out_before_any_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> None:
        raise AssertionError("a layer was counted before the total was checked")

    monkeypatch.setattr(arch_module, "_count_layer", never)
    repeat = MAX_ARCHITECTURE_REPEAT
    spec = "input 3; " + "; ".join(f"dense 4 repeat={repeat}" for _ in range(3))
    refused(
        "architecture",
        f"line 3: the description reaches {2 * repeat + 1:,} layers with repeats multiplied out, "
        f"over the limit of {MAX_ARCHITECTURE_LAYERS:,}",
        count_architecture,
        spec,
    )
    # recurrent layers= stack inside one line and count too
    refused(
        "architecture", "30,001 layers", count_architecture, "input 3; lstm 4 layers=100 repeat=300"
    )
    refused(
        "architecture",
        f"line 2: layers=100000000 is over the limit of {MAX_ARCHITECTURE_REPEAT:,}",
        count_architecture,
        "input 3; gru 4 layers=100000000",
    )


def test_a_long_description_is_refused_before_parsing() -> None:
    spec = "input 3;" + "dense 4;" * (MAX_ARCHITECTURE_CHARS // 8)
    refused(
        "architecture", f"over the limit of {MAX_ARCHITECTURE_CHARS:,}", count_architecture, spec
    )
    refused("architecture", "must be text", count_architecture, ["input 3", 5])
    refused("architecture", "must be text", aicompute.estimate, architecture=["input 3"], tokens=1)


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("input 1000000000", f"size=1000000000 is over the limit of {MAX_ARCHITECTURE_SIZE:,}"),
        ("input 1x1x1x1x1", "has 5 sizes, over the limit of 4"),
        ("input 3; dense " + "9" * 5000, "(5,000 digits) is over the limit"),
        ("input 9x9x3; conv 8 3x3 stride=" + "9" * 5000, "stride=999999999999..."),
        ("input 9x9x3; conv 8 3x3 padding=" + "9" * 5000, "padding=999999999999..."),
        ("input 9x9x3; conv 8 3x3 padding=²", "padding must be a number"),
        ("input 9x9x3; conv 8 3x3 groups=-2", "groups must be positive"),
        ("input 0x3", "sizes must be positive"),
    ],
)
def test_sizes_are_bounded(spec: str, needle: str) -> None:
    refused("architecture", needle, count_architecture, spec)


def test_real_models_fit_within_the_limits() -> None:
    # a 1,000-layer network written line by line, with comments
    spec = "input 4096\n" + "\n".join(f"dense 4096   # block {i}" for i in range(1000))
    net = count_architecture(spec)
    assert len(net.layers) == 1001
    assert net.forward_macs == 1000 * 4096 * 4096
    # GPT-3's 96 layers of feed-forward width, by repeat
    gpt3 = count_architecture("input 12288\n" + "dense 49152\ndense 12288\n" * 96)
    assert len(gpt3.layers) == 1 + 2 * 96
    assert gpt3.forward_macs == 96 * 2 * 12288 * 49152
    # sizes of a million, the largest allowed everywhere, still give a finite estimate
    wide = count_architecture("input 1000000; lstm 1000000 layers=2; embedding 1000000 1000000")
    assert wide.forward_macs == 2 * 4 * 2 * 10**12
    top = MAX_ARCHITECTURE_SIZE
    worst = (
        f"input {top}x{top}x{top}x{top}; dense {top} repeat={MAX_ARCHITECTURE_REPEAT}; "
        f"dense {top} repeat={MAX_ARCHITECTURE_LAYERS - MAX_ARCHITECTURE_REPEAT - 1}"
    )
    result = aicompute.estimate(architecture=worst, examples=1)
    assert math.isfinite(result.flop)


def test_a_description_without_multiply_adds_is_refused() -> None:
    refused(
        "architecture",
        "no layer with multiply-adds",
        aicompute.estimate,
        architecture="input 10",
        tokens=1,
    )


def test_line_errors_name_the_architecture_input() -> None:
    r = runner.invoke(
        app, ["estimate", "--architecture", "input 3; dense 4 repeat=1000000000", "--tokens", "1"]
    )
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "aicompute: error: --architecture: line 2: repeat=1000000000 is over the limit of 10,000"
    ]


def test_an_architecture_file_is_read_within_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "net.txt"
    big.write_text("input 3\n" + "dense 4\n" * (MAX_ARCHITECTURE_CHARS // 8), encoding="utf-8")
    r = runner.invoke(app, ["estimate", "--architecture", str(big), "--tokens", "1"])
    assert r.exit_code == 2
    assert f"over the limit of {MAX_ARCHITECTURE_CHARS:,} characters" in r.stderr
    r = runner.invoke(app, ["estimate", "--architecture", "x" * 5000, "--tokens", "1"])
    assert r.exit_code == 2 and "no such file" in r.stderr


# -- estimate inputs: types and sizes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "field", "needle"),
    [
        ({"params": int("9" * 400), "tokens": 1}, "params", f"more than {MAX_NUMBER_CHARS} digits"),
        ({"params": "9" * 400, "tokens": 1}, "params", f"over the limit of {MAX_NUMBER_CHARS}"),
        ({"params": "7B", "tokens": float("nan")}, "tokens", "finite"),
        ({"params": "7B", "tokens": float("inf")}, "tokens", "finite"),
        ({"params": True, "tokens": 1}, "params", "must be a number"),
        ({"params": {"low": 1}, "tokens": 1}, "params", "must be a number"),
        ({"params": [1, 2, 3], "tokens": 1}, "params", "must be a number"),
        ({"params": [1, [2]], "tokens": 1}, "params", "must be a number"),
        ({"params": "7B", "tokens": 1, "encoder_decoder": [1]}, "encoder_decoder", "true or false"),
        ({"hardware": ["GTX 580"], "count": 1, "days": 1}, "hardware", "must be text"),
        (
            {"hardware": "GTX 580", "count": 1, "days": 1, "precision": ["fp32"]},
            "precision",
            "text",
        ),
        ({"peak_flops": "1T", "count": 1, "days": 1, "precision": "fp99"}, "precision", "unknown"),
        (
            {"params": "7B", "tokens": 1, "adjust": 2, "adjust_reason": "x" * 5000},
            "adjust_reason",
            "over the limit of 1,000",
        ),
    ],
)
def test_inputs_of_the_wrong_type_or_size(inputs: dict, field: str, needle: str) -> None:
    refused(field, needle, estimate_from, inputs)


def test_ranges_and_numbers_of_every_type_still_read() -> None:
    a = estimate_from({"params": [7e9, 8e9], "tokens": (10**12, "2T")})
    b = estimate_from({"params": "7B..8B", "tokens": "1T..2T"})
    assert a.flop == pytest.approx(b.flop)
    assert estimate_from({"params": np.int64(7 * 10**9), "tokens": np.float64(1e12)}).flop == 4.2e22


def test_a_long_hardware_name_is_refused_before_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute.economics import cost
    from aicompute.hardware import catalog

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalog was searched")

    monkeypatch.setattr(catalog, "resolve", never)
    name = "GTX 580 " * 12_500
    refused(
        "hardware",
        f"over the limit of {MAX_NAME_CHARS}",
        aicompute.estimate,
        hardware=name,
        count=1,
        days=1,
    )
    refused(
        "hardware",
        f"over the limit of {MAX_NAME_CHARS}",
        aicompute.hardware_estimate,
        hardware=name,
        count=1,
        days=1,
    )
    refused(
        "hardware", f"at most {MAX_NAME_CHARS} characters", cost, hardware=name, count=1, days=1
    )


@pytest.mark.parametrize(
    ("call", "value", "needle"),
    [
        (parse_number, "10^" + "9" * 5000, "5,003 characters long, over the limit of 100"),
        (parse_number, "10^99999", "out of range"),
        (parse_number, "1e99999", "out of range"),
        (parse_number, "1" * (MAX_NUMBER_CHARS + 1), "over the limit"),
        (parse_count, 10**MAX_NUMBER_CHARS, "more than 100 digits"),
        pytest.param(parse_count, -(10**5000), "more than 100 digits", id="5000-digit-int"),
        (parse_count, [1, 2], "expected a number or text"),
        (parse_count, None, "expected a number or text"),
    ],
)
def test_unit_readers_refuse_absurd_numbers(call: Any, value: object, needle: str) -> None:
    refused("n", needle, call, value, "n")


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**90, max_value=10**500)
    | st.integers(min_value=10**4400, max_value=10**4500)  # too long even for repr()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["1.2M", "300BT", "5..6", "10^400", "1e-400", "33%", "bf16", "1,5", ""]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=5,
)
_COMPLETE = [
    {},
    {"params": "7B", "tokens": "1T"},
    {"forward_macs": "1G", "examples": "1M", "epochs": 2},
    {"hardware": "GTX 580", "count": 2, "days": 5},
    {"peak_flops": "1T", "chip_hours": 100},
]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(sorted(FIELDS)), value=_JSON, base=st.sampled_from(_COMPLETE))
def test_any_json_value_for_any_input_returns_or_is_refused(
    name: str, value: object, base: dict
) -> None:
    with contextlib.suppress(InputError):
        estimate_from({**base, name: value})


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    value=_JSON,
    kind=st.sampled_from(["count", "flop", "macs", "rate", "duration", "fraction", "number"]),
)
def test_any_json_value_for_any_unit_returns_or_is_refused(value: object, kind: Any) -> None:
    with contextlib.suppress(InputError):
        parse_range(value, kind, "x")


# -- bootstrap resamples and seeds ---------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame()  # the checks come before the data is looked at


@pytest.mark.parametrize(
    "call",
    [
        lambda **kw: trends.fit_trend([2012, 2013, 2014], [1e18, 1e19, 1e20], **kw),
        lambda **kw: trends.fit_frame(_frame(), **kw),
        lambda **kw: trends.analyze(_frame(), **kw),
        lambda **kw: trends.forecast_frame(_frame(), **kw),
        lambda **kw: trends.forecast_trend(
            [2012, 2013, 2014], [1e18, 1e19, 1e20], until=2030, **kw
        ),
        lambda **kw: trends.backtest_frame(_frame(), cutoff=2015, **kw),
        lambda **kw: trends.detect_eras([2012, 2013, 2014], [1e18, 1e19, 1e20], **kw),
        lambda **kw: trends.eras_frame(_frame(), **kw),
        lambda **kw: aicompute.economics.price_performance(**kw),
    ],
)
def test_every_trend_function_bounds_bootstrap_and_seed(call: Any) -> None:
    refused(
        "bootstrap",
        f"to {MAX_BOOTSTRAP:,} resamples, got 99,999,999,999",
        call,
        bootstrap=99_999_999_999,
    )
    refused("bootstrap", "got -1", call, bootstrap=-1)
    refused("bootstrap", "whole number", call, bootstrap=True)
    refused("bootstrap", "whole number", call, bootstrap=1000.0)
    refused("seed", "between 0 and 2**63-1, got -1", call, bootstrap=100, seed=-1)
    refused("seed", "got 9,223,372,036,854,775,808", call, bootstrap=100, seed=2**63)


def test_too_few_resamples_say_so() -> None:
    years = [2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]
    flop = [1e18, 1e19, 1e20, 1e22, 1e22, 1e23, 1e23, 1e24]
    refused(
        "bootstrap", "0 (analytic interval only) or 10", trends.fit_trend, years, flop, bootstrap=5
    )
    refused(
        "bootstrap", "10 to 100,000", trends.forecast_trend, years, flop, until=2020, bootstrap=0
    )
    assert trends.fit_trend(years, flop, bootstrap=0).ci_method == "analytic"
    eras = trends.detect_eras(years, flop, bootstrap=0, fit_bootstrap=0, break_year=2015.5)
    assert len(eras.segments) == 2


def test_forecast_draws_in_blocks_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute.trends import forecast

    rng = np.random.default_rng(3)
    years = np.sort(rng.uniform(2012, 2020, 30))
    flop = 10 ** (18 + 0.5 * (years - 2012) + rng.normal(0, 0.3, 30))
    whole = trends.forecast_trend(years, flop, until=2025, target=1e25, bootstrap=500)
    monkeypatch.setattr(forecast, "RESAMPLE_CHUNK", 7 * len(years))  # blocks of 7 resamples
    blocks = trends.forecast_trend(years, flop, until=2025, target=1e25, bootstrap=500)
    assert blocks.to_dict() == whole.to_dict()


@pytest.mark.parametrize(
    "args",
    [
        ("fit", "--bootstrap", "99999999999"),
        ("fit", "--bootstrap", "-1"),
        ("eras", "--bootstrap", "99999999999"),
        ("report", "--bootstrap", "99999999999"),
    ],
)
def test_cli_bootstrap_limit_is_one_line(args: tuple[str, ...], tmp_path: Path) -> None:
    extra = ("--out", str(tmp_path)) if args[0] == "report" else ()
    r = runner.invoke(app, [*args, *extra])
    assert r.exit_code == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bootstrap: " in lines[0] and "100,000" in lines[0]


# -- aicompute count -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--input-shape", "100000000x100000000"), "1e+16 elements, over the limit"),
        (("--input-shape", "100000000,100000000"), "1e+16 elements, over the limit"),
        (("--input-shape", "1x1x1x1x1x1"), "must be 1 to 5 sizes"),
        (("--input-shape", "3x" + "9" * 500), "too long for a shape"),
        (("--input-shape", "3x0x4"), "positive whole number, got 0"),
        (("--input-shape", "3x²"), "expected sizes"),
        (("--seq-len", "100000000000"), f"over the limit of {MAX_COUNT_SIZE:,}"),
        (("--batch-size", "100000000000000000000"), f"over the limit of {MAX_COUNT_SIZE:,}"),
        (("--batch-size", "100000", "--seq-len", "100000000"), "over the limit of 1e+12"),
        (("--backward", "guess"), "use measured or ratio"),
    ],
)
def test_count_options_are_refused_before_torch(
    args: tuple[str, ...], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # importing torch would fail
    r = runner.invoke(app, ["count", "resnet50", *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr


@pytest.mark.parametrize(
    ("model", "needle"),
    [
        ("a" * 5000, "over the limit of 4,096 characters"),
        ("a" * 3000 + ".json", "File name too long"),
        ("gpt3", "unknown model 'gpt3'; did you mean gpt2?"),
        ("missing/config.json", "no such file"),
    ],
)
def test_count_model_reference_is_checked_before_torch(
    model: str, needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    r = runner.invoke(app, ["count", model])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr


def test_library_count_checks_sizes_first() -> None:
    refused(
        "input_shape",
        "1e+16 elements",
        limits.check_sizes,
        batch_size=1,
        seq_len=None,
        input_shape=(10**8, 10**8),
    )
    refused(
        "batch_size",
        "positive whole number",
        limits.check_sizes,
        batch_size=True,
        seq_len=None,
        input_shape=None,
    )
    refused(
        "seq_len",
        "positive whole number",
        limits.check_sizes,
        batch_size=1,
        seq_len=2.5,
        input_shape=None,
    )
    assert limits.parse_shape("3 x 224 x 224") == (3, 224, 224)
    limits.check_sizes(batch_size=np.int64(8), seq_len=2048, input_shape=None)


def _write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_files_are_bounded(tmp_path: Path) -> None:
    from aicompute.counting.presets import from_hf_config

    big = _write_config(tmp_path, json.dumps({"model_type": "gpt2", "pad": "x" * MAX_CONFIG_BYTES}))
    refused("model", f"over the limit of {MAX_CONFIG_BYTES:,} bytes", from_hf_config, big)
    deep = _write_config(tmp_path, "[" * 200_000 + "]" * 200_000)
    refused("model", "nested too deeply", from_hf_config, deep)
    odd = _write_config(tmp_path, json.dumps({"model_type": "x" * 100_000}))
    assert len(refused("model", "unknown architecture", from_hf_config, odd)) < 400


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        (
            {"num_hidden_layers": 10**9},
            "num_hidden_layers = 1,000,000,000 is over the limit of 1,000",
        ),
        ({"num_local_experts": 10**6}, "num_local_experts = 1,000,000 is over the limit of 4,096"),
        (
            {"num_hidden_layers": 1000, "num_local_experts": 4096},
            "over the limit of 100,000 experts",
        ),
        ({"hidden_size": 10**12}, f"over the limit of {MAX_COUNT_SIZE:,}"),
        ({"num_key_value_heads": -3}, "num_key_value_heads must be a positive integer"),
        ({"head_dim": "64"}, "head_dim must be a positive integer"),
        ({"first_k_dense_replace": 10**6}, "over the limit of 1,000"),
    ],
)
def test_config_sizes_are_bounded(tmp_path: Path, config: dict, needle: str) -> None:
    pytest.importorskip("torch")
    from aicompute.counting.presets import from_hf_config

    base = {
        "model_type": "mixtral",
        "hidden_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "intermediate_size": 128,
        "vocab_size": 100,
        "num_local_experts": 4,
        "num_experts_per_tok": 2,
    }
    refused(
        "model", needle, from_hf_config, _write_config(tmp_path, json.dumps({**base, **config}))
    )


# -- when torch cannot be imported ------------------------------------------------------------


def test_torch_absent_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    message = refused(None, "needs PyTorch: pip install 'aicompute[torch]'", limits.import_torch)
    assert "installed" not in message


def _broken_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """torch is found on the path but raises while importing."""
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "torch" or name.startswith("torch."):
            raise ImportError("libtorch_cpu.so: cannot open shared object file\nsecond line")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())


def test_torch_broken_says_what_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_torch(monkeypatch)
    message = refused(None, "PyTorch is installed but failed to import", limits.import_torch)
    assert message.endswith("ImportError: libtorch_cpu.so: cannot open shared object file")
    assert "pip install" not in message


def test_count_command_reports_a_broken_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_torch(monkeypatch)
    r = runner.invoke(app, ["count", "gpt2"])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "aicompute: error: PyTorch is installed but failed to import: ImportError: "
        "libtorch_cpu.so: cannot open shared object file"
    ]


def test_a_bad_config_is_refused_before_torch_loads(tmp_path: Path) -> None:
    """`count` fails fast: a config.json is read and checked without importing torch."""
    import subprocess
    import sys

    for name, text in {
        "big.json": json.dumps({"model_type": "llama", "hidden_size": 10**12}),
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "odd.json": json.dumps({"model_type": "nonesuch"}),
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    script = (
        "import sys\nfrom typer.testing import CliRunner\nfrom aicompute.cli import app\n"
        "for name in sys.argv[1:]:\n"
        "    r = CliRunner().invoke(app, ['count', name])\n"
        "    print(r.exit_code, 'torch' in sys.modules, r.output.strip())\n"
    )
    names = [str(tmp_path / n) for n in ("big.json", "deep.json", "odd.json")]
    out = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [line.split()[:2] for line in out] == [["2", "False"]] * 3, out
    assert "over the limit" in out[0] and "nested too deeply" in out[1]
    assert "unknown architecture" in out[2]
