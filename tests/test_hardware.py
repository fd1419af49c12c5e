"""The accelerator catalog: coverage, sources, name matching, and values against datasheets."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from aicompute import InputError, hardware
from aicompute.hardware.catalog import PRECISIONS

CSV = Path(hardware.__file__).parent / "accelerators.csv"


def rows() -> list[dict[str, str]]:
    with CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_catalog_size_and_coverage() -> None:
    accs = hardware.all_accelerators()
    assert len(accs) >= 60
    kinds = {a.kind for a in accs}
    assert {"gpu", "tpu", "accelerator", "cpu"} <= kinds
    assert sum(a.kind == "cpu" for a in accs) >= 3
    makers = " ".join(a.manufacturer for a in accs).lower()
    for maker in ("nvidia", "google", "amd", "intel", "amazon"):
        assert maker in makers
    years = sorted(a.release_date[:4] for a in accs if a.release_date)
    assert years[0] <= "2010" and years[-1] >= "2025"


def test_every_row_is_sourced_and_well_formed() -> None:
    seen_keys: set[str] = set()
    for row in rows():
        assert row["key"] not in seen_keys
        seen_keys.add(row["key"])
        assert row["spec_source"].startswith("http"), row["key"]
        assert row["data_from"], row["key"]
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", row["release_date"]), row["key"]
        if row["launch_price_usd"]:
            assert row["price_source"].startswith("http"), row["key"]
        assert any(row[f"{p}_tflops" if p != "int8" else "int8_tops"] for p in PRECISIONS)


def test_rows_are_sorted_by_release_date() -> None:
    dates = [(r["release_date"], r["key"]) for r in rows()]
    assert dates == sorted(dates)


def test_epoch_credit_is_kept() -> None:
    assert "Epoch AI" in hardware.CREDIT and "CC BY" in hardware.CREDIT
    assert any("Epoch AI" in r["data_from"] for r in rows())


@pytest.mark.parametrize(
    ("name", "key_part"),
    [
        ("gtx580", "gtx-580"),
        ("GTX 580 3GB", "gtx-580"),
        ("NVIDIA GeForce GTX 580", "gtx-580"),
        ("A100-SXM4-80GB", "a100"),
        ("TPU v4", "tpu-v4"),
        ("tpuv4", "tpu-v4"),
        ("h100 sxm", "h100"),
        ("K80 board", "k80-board"),
        ("k80-die", "k80-die"),
    ],
)
def test_forgiving_names(name: str, key_part: str) -> None:
    assert key_part in hardware.get(name).key


def test_a100_80gb_is_not_confused_with_40gb() -> None:
    assert hardware.get("A100-SXM4-80GB").memory_gb == 80
    assert hardware.get("A100 SXM4 40GB").memory_gb == 40
    assert hardware.get("a100 sxm4 80 gb").memory_gb == 80


def test_memory_suffix_is_dropped_only_when_unambiguous() -> None:
    assert "gtx-580" in hardware.get("GeForce GTX 580 1.5GB").key
    with pytest.raises(InputError, match="ambiguous"):
        hardware.get("A100 SXM4")  # 40GB or 80GB
    with pytest.raises(InputError, match="unknown accelerator"):
        hardware.get("GTX 1080 8GB X")


def test_unknown_name_suggests() -> None:
    with pytest.raises(InputError) as info:
        hardware.get("GTX 508")
    assert info.value.field == "hardware"
    assert "did you mean" in str(info.value) and "GTX 580" in str(info.value)
    assert hardware.suggest("tpu v9")


def test_k80_is_explicitly_ambiguous() -> None:
    for name in ("K80", "Tesla K80", "nvidia k80"):
        with pytest.raises(InputError, match=r"ambiguous.*die"):
            hardware.get(name)
    board, die = hardware.get("K80 board"), hardware.get("K80 die")
    assert board.peaks["fp32"] == pytest.approx(2 * die.peaks["fp32"])
    # NVIDIA's datasheet: 8.74 TFLOPS single precision with boost per board (two GK210)
    assert board.peaks["fp32"] == pytest.approx(8.74e12, rel=0.01)


# Peak dense FLOP/s from vendors' datasheets (TFLOPS), independent of the CSV.
DATASHEET = [
    ("GTX 580", "fp32", 1.581),
    ("Tesla K20", "fp32", 3.52),
    ("Tesla K40", "fp32", 4.29),
    ("V100 SXM2 16GB", "tensor16", 125),
    ("A100 SXM4 40GB", "fp32", 19.5),
    ("A100 SXM4 40GB", "tf32", 156),
    ("A100 SXM4 40GB", "tensor16", 312),
    ("H100 SXM", "tensor16", 989.4),
    ("H100 SXM", "fp8", 1978.9),
    ("TPU v2", "tensor16", 45),
    ("TPU v3", "tensor16", 123),
    ("TPU v4", "tensor16", 275),
    ("MI300X", "tensor16", 1307.4),
    ("Gaudi2", "tensor16", 432),
    ("Gaudi3", "tensor16", 1835),
]


@pytest.mark.parametrize(("name", "precision", "tflops"), DATASHEET)
def test_values_match_datasheets(name: str, precision: str, tflops: float) -> None:
    assert hardware.get(name).peaks[precision] == pytest.approx(tflops * 1e12, rel=0.025)


def test_known_epoch_errors_are_fixed() -> None:
    mi355x, mi350x = hardware.get("MI355X"), hardware.get("MI350X")
    assert mi355x.peaks["fp8"] != mi350x.peaks["fp8"]
    trn1 = hardware.get("Trainium1")
    assert trn1.memory_bandwidth_gbs == pytest.approx(820, rel=0.05)
    assert "fp8" in hardware.get("H100 SXM").peaks


def test_values_are_dense_not_sparse() -> None:
    """Sparse figures double the dense ones. Dense tensor / FP32 vector is 16x on the A100,
    14.8x on the H100 and about 36x on the B200 (2,250 vs 62 TFLOPS); a doubled value would pass
    40x on the newest chips, or 2x the dense figures pinned above."""
    for acc in hardware.all_accelerators():
        if "tensor16" in acc.peaks and "fp32" in acc.peaks and acc.kind == "gpu":
            assert acc.peaks["tensor16"] <= 40 * acc.peaks["fp32"], acc.name
    assert hardware.get("B200").peaks["tensor16"] == pytest.approx(2250e12, rel=0.01)
    assert hardware.get("A100 PCIe 40GB").peaks["tensor16"] == pytest.approx(312e12, rel=0.01)


def test_default_precision_order() -> None:
    assert hardware.get("A100 SXM4 40GB").peak_flops() == (312e12, "tensor16")
    assert hardware.get("GTX 580").peak_flops() == (1.581e12, "fp32")
    assert hardware.get("A100 SXM4 40GB").peak_flops("fp64")[1] == "fp64"


def test_seed_gpus_reproduce_the_seed_figures() -> None:
    """The seed's per-GPU figures against the catalog (base clocks where the seed used them)."""
    for name, seed_tflops in (
        ("GTX 580", 1.58),
        ("Tesla K20", 3.5),
        ("GTX Titan Black", 5.1),
        ("GTX Titan X", 6.0),
        ("K80 board", 8.5),
        ("Tesla K40", 4.2),
    ):
        assert hardware.get(name).peaks["fp32"] / 1e12 == pytest.approx(seed_tflops, rel=0.05)
