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


def test_memory_suffix_picks_a_variant_or_is_refused() -> None:
    assert "gtx-580" in hardware.get("GeForce GTX 580 1.5GB").key
    # A100 SXM4 40GB and 80GB share every peak: the name resolves, with a note
    assert hardware.resolve("A100 SXM4").notes
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


# --- how names resolve -------------------------------------------------------------------------

UNITS_CSV = CSV.parent / "units.csv"
FORM_FACTORS = {"", "sxm", "sxm2", "sxm4", "sxm5", "pcie", "nvl", "oam"}


def unit_rows() -> list[dict[str, str]]:
    with UNITS_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def owners() -> dict[str, list[tuple[str, str]]]:
    """Each alias (lower case) -> the rows that list it: ("chip", key) or ("unit", name)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows():
        for alias in filter(None, row["aliases"].split(";")):
            found.setdefault(alias.lower(), []).append(("chip", row["key"]))
    for row in unit_rows():
        for alias in (row["name"], *filter(None, row["aliases"].split(";"))):
            found.setdefault(alias.lower(), []).append(("unit", row["name"]))
    return found


def test_units_are_sourced_and_point_at_chips() -> None:
    keys = {r["key"] for r in rows()}
    names = set()
    for row in unit_rows():
        assert row["name"] not in names
        names.add(row["name"])
        assert row["chip"] in keys, row["name"]
        assert int(row["chips_per_unit"]) >= 1, row["name"]
        assert row["source"].startswith("http"), row["name"]
    for row in rows():
        assert set(row["form_factor"].split(";")) <= FORM_FACTORS, row["key"]


@pytest.mark.parametrize("alias", sorted(owners()))
def test_every_alias_resolves_to_its_own_row(alias: str) -> None:
    listed = owners()[alias]
    if len(listed) == 1:
        kind, owner = listed[0]
        found = hardware.resolve(alias)
        if kind == "chip":
            assert found.accelerator.key == owner
            assert found.chips_per_unit == 1 and found.unit == ""
        else:
            row = next(r for r in unit_rows() if r["name"] == owner)
            assert found.accelerator.key == row["chip"]
            assert found.chips_per_unit == int(row["chips_per_unit"])
            assert found.unit == (owner if found.chips_per_unit > 1 else "")
            assert found.notes and row["source"] in found.notes[0]
        return
    # an alias several rows share on purpose: one of them when their peaks agree, else refused
    names = [
        next(r["name"] for r in rows() if r["key"] == owner) if kind == "chip" else owner
        for kind, owner in listed
    ]
    try:
        found = hardware.resolve(alias)
    except InputError as error:
        assert error.field == "hardware" and "ambiguous" in str(error)
        for name in names:
            assert name in str(error)
    else:
        assert {a.name for a in found.candidates} == set(names)
        assert found.notes


def test_every_key_and_name_resolves_to_its_own_row() -> None:
    for acc in hardware.all_accelerators():
        assert hardware.get(acc.key) is acc
        assert hardware.get(acc.name) is acc


# Every name of the brief: (name, key, chips per named unit).
RESOLVED = [
    ("Titan Black", "nvidia-gtx-titan-black", 1),
    ("NVIDIA Titan Black", "nvidia-gtx-titan-black", 1),
    ("A100 SXM", "nvidia-a100-sxm4-40gb", 1),
    ("NVIDIA H100 80GB HBM3", "nvidia-h100-sxm5", 1),
    ("H100-80GB-HBM3", "nvidia-h100-sxm5", 1),
    ("H800 PCIe", "nvidia-h800-pcie", 1),
    ("A10G", "nvidia-a10g", 1),
    ("B200 SXM", "nvidia-b200", 1),
    ("V100 SXM2", "nvidia-v100-sxm2-16gb", 1),
    ("V100 PCIe", "nvidia-v100-pcie-16gb", 1),
    ("A100 SXM4", "nvidia-a100-sxm4-40gb", 1),
    ("P100 PCIe", "nvidia-p100-pcie-12gb", 1),
    ("L4", "nvidia-l4", 1),
    ("TPU v5e", "google-tpu-v5e", 1),
    ("TPU v5p", "google-tpu-v5p", 1),
    ("Cloud TPU v5e", "google-tpu-v5e", 1),
    ("Trainium", "aws-trainium1", 1),
    ("Trn1", "aws-trainium1", 1),
    ("Trn2", "aws-trainium2", 1),
    ("Trainium2", "aws-trainium2", 1),
    ("TPU v2", "google-tpu-v2", 1),
    ("TPU v3", "google-tpu-v3", 1),
    ("TPU v4", "google-tpu-v4", 1),
    ("Cloud TPU v2", "google-tpu-v2", 4),
    ("Cloud TPU v3", "google-tpu-v3", 4),
    ("Google Cloud TPU v3", "google-tpu-v3", 4),
    ("Cloud TPU v4 device", "google-tpu-v4", 4),
    ("v3-8", "google-tpu-v3", 4),
    ("TPU v3 Pod", "google-tpu-v3", 1024),
    ("TPU v4 Pod", "google-tpu-v4", 4096),
    ("trn1.2xlarge", "aws-trainium1", 1),
    ("trn1.32xlarge", "aws-trainium1", 16),
    ("trn2.48xlarge", "aws-trainium2", 16),
    ("Trn2 UltraServer", "aws-trainium2", 64),
    ("g5.xlarge", "nvidia-a10g", 1),
    ("g5.48xlarge", "nvidia-a10g", 8),
    ("p2.xlarge", "nvidia-k80-die", 1),
    ("p4d.24xlarge", "nvidia-a100-sxm4-40gb", 8),
    ("DGX A100", "nvidia-a100-sxm4-40gb", 8),
    ("GB200 NVL72", "nvidia-gb200", 72),
    # nvidia-smi product strings
    ("Tesla V100-SXM2-16GB", "nvidia-v100-sxm2-16gb", 1),
    ("Tesla V100-SXM2-32GB", "nvidia-v100-sxm2-32gb", 1),
    ("Tesla V100-PCIE-32GB", "nvidia-v100-pcie-32gb", 1),
    ("NVIDIA A100-SXM4-80GB", "nvidia-a100-sxm4-80gb", 1),
    ("NVIDIA A100-SXM4-40GB", "nvidia-a100-sxm4-40gb", 1),
    ("NVIDIA A100 80GB PCIe", "nvidia-a100-pcie-80gb", 1),
    ("NVIDIA A100-PCIE-40GB", "nvidia-a100-pcie-40gb", 1),
    ("Tesla P100-PCIE-16GB", "nvidia-p100-pcie-16gb", 1),
    ("Tesla P100-SXM2-16GB", "nvidia-p100-sxm2", 1),
    ("NVIDIA H100 PCIe", "nvidia-h100-pcie", 1),
    ("NVIDIA H100 NVL", "nvidia-h100-nvl", 1),
    ("NVIDIA GeForce RTX 4090", "nvidia-rtx-4090", 1),
    ("Tesla T4", "nvidia-t4", 1),
    ("NVIDIA L4", "nvidia-l4", 1),
    ("NVIDIA A10G", "nvidia-a10g", 1),
    ("NVIDIA H200", "nvidia-h200-sxm", 1),
    ("NVIDIA H200 NVL", "nvidia-h200-nvl", 1),
    ("NVIDIA B200", "nvidia-b200", 1),
    ("NVIDIA GH200 480GB", "nvidia-gh200", 1),
    ("GeForce GTX TITAN X", "nvidia-gtx-titan-x-maxwell", 1),
    ("TITAN X (Pascal)", "nvidia-titan-x-pascal", 1),
    # names as papers write them
    ("NVIDIA A100 Tensor Core GPU", "nvidia-a100-sxm4-40gb", 1),
    ("A100 80GB", "nvidia-a100-sxm4-80gb", 1),
    ("a100 sxm4 40 gb", "nvidia-a100-sxm4-40gb", 1),
    ("A100 80GB HBM2e", "nvidia-a100-sxm4-80gb", 1),
    ("H100 SXM", "nvidia-h100-sxm5", 1),
    ("H100 PCIe 80GB", "nvidia-h100-pcie", 1),
    ("H100 NVL 94GB", "nvidia-h100-nvl", 1),
    ("Tesla M40 24GB", "nvidia-m40", 1),
]


@pytest.mark.parametrize(("name", "key", "chips"), RESOLVED)
def test_names_as_people_type_them(name: str, key: str, chips: int) -> None:
    found = hardware.resolve(name)
    assert (found.accelerator.key, found.chips_per_unit) == (key, chips)
    assert found.accelerator in found.candidates
    assert bool(found.unit) == (chips > 1)
    if chips == 1:
        assert hardware.get(name).key == key


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("V100 SXM2", "nvidia-v100-sxm2-32gb"),
        ("V100 PCIe", "nvidia-v100-pcie-32gb"),
        ("A100 SXM4", "nvidia-a100-sxm4-80gb"),
        ("A100 SXM", "nvidia-a100-sxm4-80gb"),
        ("P100 PCIe", "nvidia-p100-pcie-16gb"),
    ],
)
def test_variants_with_the_same_peak_resolve_with_a_note(name: str, other: str) -> None:
    for precision in (None, "bf16", "fp16", "fp32", "fp64"):
        found = hardware.resolve(name, precision)
        assert len(found.candidates) == 2
        other_name = next(a.name for a in found.candidates if a.key == other)
        assert found.accelerator.key != other
        (note,) = found.notes
        assert found.accelerator.name in note and other_name in note and "same peak" in note
        # deterministic: the earlier entry of the catalog
        assert hardware.resolve(name, precision).accelerator is found.accelerator
    assert "312" in hardware.resolve("A100 SXM", "bf16").notes[0]


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        (
            "Titan X",
            "'NVIDIA GeForce GTX Titan X' 6.144 TFLOP/s FP32",
            "'NVIDIA Titan X (Pascal)' 10.97 TFLOP/s FP32",
        ),
        ("NVIDIA TITAN X", "'NVIDIA GeForce GTX Titan X' 6.144", "'NVIDIA Titan X (Pascal)' 10.97"),
        ("MI300", "'AMD Instinct MI300A' 980.6 TFLOP/s", "'AMD Instinct MI300X' 1,307 TFLOP/s"),
        ("TPU v5", "'Google TPU v5e' 197 TFLOP/s", "'Google TPU v5p' 459 TFLOP/s"),
        ("K80", "'NVIDIA Tesla K80 board' 8.74", "'NVIDIA Tesla K80 die' 4.37"),
        ("Tesla K80", "'NVIDIA Tesla K80 board' 8.74", "'NVIDIA Tesla K80 die' 4.37"),
        ("H100 80GB", "'NVIDIA H100 PCIe' 756", "'NVIDIA H100 SXM5 80GB' 989.4"),
    ],
)
def test_variants_with_different_peaks_are_ambiguous(name: str, first: str, second: str) -> None:
    with pytest.raises(InputError) as info:
        hardware.resolve(name)
    message = str(info.value)
    assert info.value.field == "hardware"
    assert "ambiguous" in message and "name one" in message.lower()
    assert first in message and second in message
    assert message.index(first) < message.index(second)  # release order
    assert "--" not in message
    with pytest.raises(InputError, match="ambiguous"):
        hardware.get(name)


def test_ambiguity_is_judged_at_the_chosen_precision() -> None:
    with pytest.raises(InputError, match=r"ambiguous.*980\.6 TFLOP/s FP16/BF16 tensor"):
        hardware.resolve("MI300", "bf16")
    with pytest.raises(InputError, match=r"ambiguous.*61\.3 TFLOP/s FP64"):
        hardware.resolve("MI300", "fp64")
    # no candidate has the precision: the peaks are compared at every precision instead
    with pytest.raises(InputError, match=r"none has a FP16/BF16 tensor figure.*6\.144"):
        hardware.resolve("Titan X", "bf16")
    with pytest.raises(InputError, match="ambiguous"):
        hardware.resolve("Tesla K80", "bf16")
    found = hardware.resolve("V100 SXM2", "fp8")  # no FP8 on either, and identical otherwise
    assert found.accelerator.key == "nvidia-v100-sxm2-16gb"
    with pytest.raises(InputError, match="precision"):
        hardware.resolve("V100 SXM2", "fp7")


def test_form_factor_in_a_name_is_respected() -> None:
    assert hardware.get("H100 PCIe").key == "nvidia-h100-pcie"
    assert hardware.get("NVIDIA H100 PCIe 80GB").key == "nvidia-h100-pcie"
    assert hardware.get("H100 SXM5").key == "nvidia-h100-sxm5"
    assert hardware.get("H800 PCIe").key == "nvidia-h800-pcie"
    assert hardware.get("H800 SXM").key == "nvidia-h800"
    assert hardware.get("A100 PCIe 80GB").key == "nvidia-a100-pcie-80gb"
    assert hardware.get("V100 SXM2 32GB").key == "nvidia-v100-sxm2-32gb"
    for name in ("H100 SXM4", "B200 PCIe", "A100 SXM5", "V100 SXM4", "Gaudi 3 PCIe", "T4 SXM"):
        with pytest.raises(InputError, match="unknown accelerator") as info:
            hardware.resolve(name)
        assert "peak_flops" in str(info.value) and "--" not in str(info.value)
    # the error lists the chip's entries with their form factors
    with pytest.raises(InputError, match=r"'NVIDIA H100 PCIe' \(PCIe, 80 GB\)"):
        hardware.resolve("H100 SXM4")


def test_memory_size_in_a_name_is_respected() -> None:
    assert hardware.get("A100 40GB").memory_gb == 40
    assert hardware.get("A100 80GB").memory_gb == 80
    assert hardware.get("V100 32GB").memory_gb == 32
    assert hardware.get("P100 PCIe 12GB").key == "nvidia-p100-pcie-12gb"
    for name in ("A100 SXM4 96GB", "H100 96GB", "V100 SXM2 64GB", "L4 48GB"):
        with pytest.raises(InputError, match="unknown accelerator"):
            hardware.resolve(name)


def test_memory_type_never_contradicts_an_entry() -> None:
    # HBM3 is the SXM5 module's memory; the PCIe card has HBM2e
    assert hardware.get("H100 80GB HBM3").key == "nvidia-h100-sxm5"
    assert hardware.get("H100 PCIe HBM2e").key == "nvidia-h100-pcie"
    assert hardware.get("A100 40GB HBM2e").key == "nvidia-a100-sxm4-40gb"
    for name in ("H100 PCIe HBM3", "H200 HBM3", "A100 80GB HBM2", "L4 HBM3"):
        with pytest.raises(InputError, match="unknown accelerator"):
            hardware.resolve(name)


def test_a_name_for_both_a_chip_and_a_unit_is_ambiguous() -> None:
    with pytest.raises(InputError) as info:
        hardware.resolve("Cloud TPU v4")
    message = str(info.value)
    assert "ambiguous" in message and "'Google TPU v4' (one chip)" in message
    assert "'Cloud TPU v4 device' (4 chips)" in message


def test_get_refuses_units_of_several_chips() -> None:
    with pytest.raises(InputError) as info:
        hardware.get("Cloud TPU v3")
    assert info.value.field == "hardware"
    assert "4 chips" in str(info.value) and "resolve()" in str(info.value)
    with pytest.raises(InputError, match="72 chips"):
        hardware.get("GB200 NVL72")
    assert hardware.get("trn1.2xlarge").key == "aws-trainium1"  # an instance of one chip


def test_cloud_tpu_devices_hold_four_chips() -> None:
    """BERT: '16 Cloud TPUs (64 TPU chips total)'."""
    for version in ("v2", "v3"):
        found = hardware.resolve(f"Cloud TPU {version}")
        assert found.chips_per_unit == 4
        assert found.unit == f"Cloud TPU {version} device"
        assert found.accelerator is hardware.get(f"TPU {version}")
        assert "cloud.google.com/tpu/docs" in found.notes[0]


def test_new_rows_have_their_own_peaks() -> None:
    a10g, a10 = hardware.get("A10G"), hardware.get("A10")
    assert a10g.key != a10.key
    assert a10g.peaks["fp32"] == pytest.approx(31.52e12)
    assert "tensor16" not in a10g.peaks  # no confirmed tensor figure: not the A10's 125
    assert a10.peaks["tensor16"] == pytest.approx(125e12)
    h800_pcie, h800_sxm = hardware.get("H800 PCIe"), hardware.get("H800")
    assert h800_pcie.peaks["tensor16"] == pytest.approx(756e12)
    assert h800_sxm.peaks["tensor16"] == pytest.approx(989.4e12)
    assert h800_pcie.form_factor == "pcie" and h800_sxm.form_factor == "sxm5"


def test_suggestions_rank_the_closest_first() -> None:
    assert hardware.suggest("GTX 508")[0] == "NVIDIA GeForce GTX 580"
    assert hardware.suggest("H10O PCIe")[0] == "NVIDIA H100 PCIe"
    assert hardware.suggest("Cloud TPU v3 devise")[0] == "Cloud TPU v3 device"
    assert hardware.suggest("p4d.24xlarg")[0] == "p4d.24xlarge"
    with pytest.raises(InputError) as info:
        hardware.resolve("Voodoo 5")
    assert "unknown accelerator" in str(info.value)
    assert "give `peak_flops`" in str(info.value) and "--peak-flops" not in str(info.value)


def test_cli_show_reports_the_unit_and_notes() -> None:
    import json

    from typer.testing import CliRunner

    from aicompute.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["hardware", "show", "Cloud TPU v3", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["key"] == "google-tpu-v3"
    assert data["chips_per_unit"] == 4 and data["unit"] == "Cloud TPU v3 device"
    assert data["resolution_notes"] and data["candidates"] == ["google-tpu-v3"]
    result = runner.invoke(app, ["hardware", "show", "V100 SXM2", "--json"])
    data = json.loads(result.stdout)
    assert data["chips_per_unit"] == 1 and data["unit"] == ""
    assert "NVIDIA Tesla V100 SXM2 32GB" in data["resolution_notes"][0]
    result = runner.invoke(app, ["hardware", "show", "Cloud TPU v3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "4 chips" in result.stdout
    result = runner.invoke(app, ["hardware", "show", "Titan X"])
    assert result.exit_code == 2 and "ambiguous" in result.stderr


def test_cli_lists_units() -> None:
    import json

    from typer.testing import CliRunner

    from aicompute.cli import app

    result = CliRunner().invoke(app, ["hardware", "units", "--json"])
    assert result.exit_code == 0
    units = {u["name"]: u for u in json.loads(result.stdout)}
    assert units["Cloud TPU v3 device"]["chips_per_unit"] == 4
    assert len(units) == len(unit_rows())


def test_a_name_longer_than_any_real_one_is_refused_before_matching() -> None:
    """Matching cost grows with the name: a 100,000-character name once took 11 s."""
    from aicompute.hardware.catalog import resolve

    for name in ["H100 " * 20_000, "x" * 100_000]:
        with pytest.raises(InputError, match="at most 200"):
            resolve(name)
    assert resolve("NVIDIA H100 80GB HBM3").accelerator.key == "nvidia-h100-sxm5"
