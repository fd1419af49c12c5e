"""The ``aicompute`` command: output, --json, and one clear line with exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from aicompute.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


ALEXNET = (
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
    "5..6",
)


def test_estimate_json_fields() -> None:
    code, out, _ = run(*ALEXNET, "--json")
    assert code == 0
    data = json.loads(out)
    assert {"flop", "pfs_days", "low_flop", "high_flop", "agreement_ratio", "estimates"} <= set(
        data
    )
    ops, hw = data["estimates"]
    assert ops["method"] == "operations" and hw["method"] == "hardware"
    for est in (ops, hw):
        assert {"method", "flop", "pfs_days", "low_flop", "high_flop", "formula", "inputs"} <= set(
            est
        )
        assert est["low_flop"] < est["flop"] < est["high_flop"]
    assert data["flop"] == ops["flop"] == pytest.approx(0.75e9 * 6 * 1.2e6 * 90)
    assert data["pfs_days"] == pytest.approx(0.005625)
    assert hw["inputs"]["days"] == [5.0, 6.0]
    assert hw["inputs"]["hardware"] == "NVIDIA GeForce GTX 580"
    assert data["agreement_ratio"] == pytest.approx(hw["flop"] / ops["flop"])


def test_estimate_human_output_shows_the_calculation() -> None:
    code, out, _ = run(*ALEXNET)
    assert code == 0
    assert "1 · counting operations" in out and "2 · hardware time" in out
    assert "750M MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 90 epochs" in out
    assert "2 chips × 1.581 TFLOP/s × 5..6 days × 0.33 utilization" in out
    assert "Cross-check" in out and "agree within 3x" in out
    assert "Estimate: 4.86e17 FLOP = 0.00562 pfs-days" in out


def test_single_method_json_has_null_ratio() -> None:
    code, out, _ = run("estimate", "--params", "175B", "--tokens", "300B", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["agreement_ratio"] is None
    assert data["flop"] == pytest.approx(3.15e23)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--forward-macs", "-5", "--examples", "1M"), "--forward-macs: must be positive"),
        (("--forward-macs", "nan", "--examples", "1M"), "--forward-macs: must be a finite number"),
        (("--forward-macs", "1G", "--examples", "1M..1k"), "--examples: range low end"),
        (
            ("--hardware", "GTX 580", "--count", "1", "--days", "1", "--utilization", "1.2"),
            "--utilization: must be a fraction in (0, 1]",
        ),
        (("--hardware", "gtx 5800", "--count", "1", "--days", "1"), "did you mean"),
        (("--hardware", "K80", "--count", "1", "--days", "1"), "ambiguous"),
        (
            ("--hardware", "GTX 580", "--count", "1", "--days", "1", "--hours", "3"),
            "--hours: give --days or --hours, not both",
        ),
        (
            (
                "--examples",
                "1M",
            ),
            "no method has all its inputs",
        ),
        (("--forward-macs", "1G", "--examples", "1M", "--adjust", "3"), "--adjust-reason"),
        # the silent wrong answers, now refused with one line naming the option
        (("--params", "70GB", "--tokens", "1T"), "--params: '70GB' is a size in bytes"),
        (("--hardware", "GTX 580", "--count", "1", "--days", "1,5"), "--days: cannot read '1,5'"),
        (("--params", "1,5B", "--tokens", "1T"), "for a decimal write a point: 1.5"),
        (("--params", "1e308", "--tokens", "300B"), "--params: the result is not a positive"),
        (("--params", "10^" + "9" * 5000, "--tokens", "1T"), "--params: "),
        (("--params", "7B", "--tokens", "300B words"), "--tokens: cannot read '300B words'"),
        (
            ("--architecture", "input 10x10x3; conv 8 30x30", "--examples", "1"),
            "--architecture: line 2: kernel 30 does not fit",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    code, out, err = run("estimate", *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_no_traceback_from_the_real_process() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "aicompute",
            "estimate",
            "--count",
            "-1",
            "--hardware",
            "GTX 580",
            "--days",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "aicompute: error: --count: must be positive, got -1"


@pytest.mark.parametrize(
    ("tokens", "value"),
    [
        ("300BT", 300e9),
        ("1.4Ttokens", 1.4e12),
        ("1.4tn", 1.4e12),
        ("1.4 trillion", 1.4e12),
        ("2T tokens", 2e12),
    ],
)
def test_tokens_as_people_write_them(tokens: str, value: float) -> None:
    code, out, _ = run("estimate", "--params", "70B", "--tokens", tokens, "--json")
    assert code == 0
    assert json.loads(out)["flop"] == pytest.approx(6 * 70e9 * value, rel=1e-12)


def test_seed_is_not_an_option_any_more() -> None:
    """Intervals are computed, not sampled: there is no seed, and a stray one is a usage
    error (exit 2), not a traceback."""
    code, out, err = run("estimate", "--params", "7B", "--tokens", "1T", "--seed", "-1")
    assert code == 2 and "Traceback" not in out + err


def test_architecture_from_a_file(tmp_path) -> None:
    spec = tmp_path / "dqn.txt"
    spec.write_text("# DQN\ninput 84x84x3\nconv 16 8x8 stride 4\nconv 32 4x4 stride 2\ndense 256\n")
    code, out, _ = run(
        "estimate", "--architecture", str(spec), "--updates", "5M", "--batch-size", "32", "--json"
    )
    assert code == 0
    assert json.loads(out)["estimates"][0]["inputs"]["forward_macs"] == 2_555_904


def test_hardware_list_and_show() -> None:
    code, out, _ = run("hardware", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 60
    assert {"gpu", "tpu", "cpu"} <= {r["kind"] for r in rows}
    code, out, _ = run("hardware", "show", "gtx580", "--json")
    assert code == 0
    gtx = json.loads(out)
    assert gtx["peak_flops"]["fp32"] == pytest.approx(1.581e12)
    assert gtx["spec_source"].startswith("http")
    code, out, _ = run("hardware", "show", "TPU v4")
    assert code == 0 and "275" in out and "Epoch AI" in out
    code, out, _ = run("hardware", "list", "--kind", "cpu")
    assert code == 0 and "Xeon" in out
    code, _, err = run("hardware", "show", "Voodoo 5")
    assert code == 2 and "unknown accelerator" in err


def test_python_dash_m_and_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aicompute", "--version"], capture_output=True, text=True, check=True
    )
    from aicompute import __version__

    assert proc.stdout.strip() == __version__


def test_markup_like_text_is_printed_verbatim() -> None:
    code, out, _ = run(
        "estimate",
        "--forward-macs",
        "1G",
        "--examples",
        "1M",
        "--adjust",
        "2",
        "--adjust-reason",
        "[bold]twice[/bold] the data",
    )
    assert code == 0
    assert "[bold]twice[/bold] the data" in out


def test_missing_architecture_file() -> None:
    code, _, err = run("estimate", "--architecture", "dqn.txt", "--examples", "1")
    assert code == 2 and "no such file 'dqn.txt'" in err


@pytest.mark.parametrize("command", ["fit", "eras", "forecast", "report"])
def test_a_negative_seed_is_a_usage_error_not_a_traceback(command: str) -> None:
    code, out, err = run(command, "--seed", "-1")
    assert code == 2
    assert "--seed" in err and "Traceback" not in out + err


@pytest.mark.slow
def test_import_with_embedded_lets_the_imported_record_win(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As with --data everywhere (load_records), a user's record replaces the embedded one
    with the same id: the user's file exists to correct it."""
    import yaml

    source = tmp_path / "fix.yaml"
    source.write_text(
        "- id: alexnet\n  name: AlexNet\n  date: '2012-09-30'\n  flop: 4.7e17\n"
        "  notes: corrected by the user\n",
        encoding="utf-8",
    )
    out = tmp_path / "merged.yaml"
    code, _, err = run("data", "import", str(source), "--out", str(out), "--with-embedded")
    assert code == 0, err
    merged = {r["id"]: r for r in yaml.safe_load(out.read_text(encoding="utf-8"))}
    assert merged["alexnet"]["notes"] == "corrected by the user"
    assert merged["alexnet"]["flop"] == 4.7e17 and len(merged) > 300
