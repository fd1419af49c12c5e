"""``aicompute threshold``: the figures against hand calculations, the report folder and its
verification, and one clear line with exit 2 for every bad input."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aicompute.cli import app
from tests.browsers import ARGS, ARTIFACTS, BROWSER, CHROMIUM, sync_playwright

runner = CliRunner()

LLAMA = ("--params", "405B", "--tokens", "15.6T")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["threshold", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict[str, Any]:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in rows}


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2, out + err
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("aicompute: error: ")
    return lines[0]


# --- one stage from the estimate's options ----------------------------------------------------


def test_405b_on_15_6t_tokens_is_above_1e25_and_below_1e26() -> None:
    data = run_json(*LLAMA)
    hand = 6 * 405e9 * 15.6e12  # 6·N·D
    assert data["total_flop"] == pytest.approx(hand, rel=0.01)
    p = {k: t["p_exceed"] for k, t in by_key(data["thresholds"]).items()}
    assert p["eu-systemic"] >= 0.95
    assert p["ca-sb53"] <= 0.05
    assert {"total_flop", "low_flop", "high_flop", "stages", "thresholds", "sha256", "version"} <= (
        set(data)
    )
    assert data["low_flop"] < data["total_flop"] < data["high_flop"]
    for stage in data["stages"]:
        assert {"name", "flop", "low_flop", "high_flop", "share"} <= set(stage)
    for t in data["thresholds"]:
        assert {"name", "flop", "source", "p_exceed"} <= set(t)
        assert t["source"].startswith("https://")
    from aicompute import __version__

    assert data["version"] == __version__
    assert re.fullmatch(r"[0-9a-f]{64}", data["sha256"])


def test_human_output_shows_tables_calculation_and_disclaimer() -> None:
    code, out, _ = run(*LLAMA)
    assert code == 0
    assert "Threshold assessment: pre-training (1 stage)" in out
    assert "Stages" in out and "Thresholds" in out
    assert "> 0.999" in out and "< 0.001" in out  # P(>1e25), P(>1e26)
    assert "binding" in out and "indicative" in out
    # the estimate's formula with the numbers put in
    assert "405B params × 2 FLOP/MAC × 3 (forward+backward) × 15.6T tokens = 3.79e25 FLOP" in out
    assert "not legal advice" in out


def test_option_errors_name_the_option() -> None:
    line = one_line_error(*run("--params", "405B", "--tokens", "abc"))
    assert line == "aicompute: error: --tokens: cannot read 'abc' as a number"
    line = one_line_error(*run(*LLAMA, "--threshold", "lots"))
    assert line.startswith("aicompute: error: --threshold: 'lots' is neither")
    line = one_line_error(*run(*LLAMA, "--samples", "5"))
    assert line.startswith("aicompute: error: --samples: ")
    line = one_line_error(*run(*LLAMA, "--kind", "pretrain"))
    assert "--kind" in line and "sft" in line
    line = one_line_error(*run(*LLAMA, "--start", "2024-01-01"))
    assert (
        line.startswith("aicompute: error: --hardware: a planned run needs") and "--count" in line
    )


def test_kind_and_name_of_a_single_stage() -> None:
    data = run_json("--params", "8B", "--tokens", "1T", "--kind", "sft", "--name", "my SFT")
    stage = data["stages"][0]
    assert (stage["name"], stage["kind"]) == ("my SFT", "sft")


def test_kinds_in_the_help_are_the_librarys() -> None:
    from aicompute.cli.threshold import KINDS_HELP
    from aicompute.threshold import STAGE_KINDS

    assert KINDS_HELP.split(", ") == list(STAGE_KINDS)


# --- several stages from a file ---------------------------------------------------------------

PLAN = """\
model: Example 70B
stages:
  - name: pre-training
    params: 70B
    tokens: 15T
  - name: SFT
    kind: sft
    params: 70B
    tokens: 10B
  - name: RL
    kind: rl
    params: 70B
    tokens: 20B
    generation:
      params: 70B
      tokens: 200B
  - name: synthetic data
    kind: synthetic_data
    generation:
      params: 405B
      tokens: 1T
"""
HAND = {  # 6·N·D for training, 2·N·tokens for generation (forward only)
    "pre-training": 6 * 70e9 * 15e12,
    "SFT": 6 * 70e9 * 10e9,
    "RL": 6 * 70e9 * 20e9 + 2 * 70e9 * 200e9,
    "synthetic data": 2 * 405e9 * 1e12,
}


def write_plan(tmp_path: Path, text: str = PLAN, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_stages_file_medians_and_shares_against_hand_formulas(tmp_path: Path) -> None:
    data = run_json("--stages", str(write_plan(tmp_path)))
    assert data["model"] == "Example 70B"
    stages = {s["name"]: s for s in data["stages"]}
    assert list(stages) == list(HAND)
    total = sum(HAND.values())
    for name, flop in HAND.items():
        # a stage's `flop` is its median; every part here has the same calibrated spread and
        # the parts move together, so the median of a sum is the sum of the central values
        assert stages[name]["flop"] == pytest.approx(flop, rel=0.01), name
        assert stages[name]["share"] == pytest.approx(flop / total, rel=0.01), name
    assert data["total_flop"] == pytest.approx(total, rel=0.01)
    systemic = by_key(data["thresholds"])["eu-gpai"]
    assert systemic["excluded_stages"] == ["synthetic data"]  # the GPAI measure leaves it out
    assert systemic["unclear_stages"] == ["RL"]


BAD_FILES = [
    (
        "unknown field",
        "stages:\n  - name: pre\n    params: 7B\n    tokens: 1T\n"
        "  - name: RL\n    kind: rl\n    generation:\n      parms: 7B\n",
        "stage 2 ('RL'): generation.parms: unknown field",
    ),
    (
        "bad number",
        "stages:\n  - name: pre\n    params: 7B\n    tokens: 1T\n"
        "  - name: RL\n    kind: rl\n    generation:\n      params: abc\n      tokens: 1T\n",
        "stage 2 ('RL'): generation.params: cannot read 'abc' as a number",
    ),
    (
        "unknown kind",
        "stages:\n  - name: pre\n    kind: pretrain\n    params: 7B\n    tokens: 1T\n",
        "stage 1 ('pre'): kind: ",
    ),
    ("missing name", "stages:\n  - params: 7B\n    tokens: 1T\n", "stage 1: name: required"),
    ("invalid YAML", "stages:\n  - name: pre\n   params: 7B\n", "line 3: not valid YAML"),
    ("nothing", "stages:\n  - name: empty\n", "stage 1 ('empty'): give the estimate inputs"),
]


@pytest.mark.parametrize(
    ("text", "needle"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_stage_files_are_one_line_naming_stage_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, needle: str
) -> None:
    write_plan(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    line = one_line_error(*run("--stages", "./plan.yaml"))
    assert "./plan.yaml" in line  # the path as it was typed
    assert needle in line


def test_a_missing_stages_file(tmp_path: Path) -> None:
    line = one_line_error(*run("--stages", str(tmp_path / "none.yaml")))
    assert "none.yaml: cannot read it" in line


def test_schema_is_json_schema_of_a_stages_file() -> None:
    code, out, _ = run("--schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["type"] == "object" and "stages" in schema["properties"]
    assert schema["properties"]["stages"]["type"] == "array"
    refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', out)
    assert refs and set(refs) <= set(schema["$defs"])
    stage = schema["$defs"]["StageSpec"]
    assert {"name", "kind", "generation", "params", "tokens", "flop"} <= set(stage["properties"])
    assert stage["required"] == ["name"]


# --- which inputs go together ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--samples", "2000"),
        (*LLAMA, "--record", "GPT-3 175B"),
        ("--stages", "plan.yaml", "--record", "GPT-3 175B"),
        ("--record", "GPT-3 175B", "--name", "x"),
        (*LLAMA, "--base-flop", "1e25", "--base-unknown"),
        (*LLAMA, "--base-low-flop", "1e24"),
        (*LLAMA, "--progress", "1T"),
        ("--verify", "somewhere", *LLAMA),
        ("--schema", *LLAMA),
        ("--dataset", *LLAMA),
    ],
)
def test_inputs_that_do_not_go_together(args: tuple[str, ...]) -> None:
    if not args:  # no input at all: the help, as `aicompute estimate` does
        code, out, _ = run()
        assert code == 2 or "Usage" in out
        return
    one_line_error(*run(*args))


def test_a_dataset_record() -> None:
    data = run_json("--record", "gpt-3 175b")  # by name, in any case
    assert data["model"] == "GPT-3 175B"
    assert data["total_flop"] == pytest.approx(3.14e23, rel=0.02)
    p = {k: t["p_exceed"] for k, t in by_key(data["thresholds"]).items()}
    assert p["eu-gpai"] > 0.5 and p["eu-systemic"] < 0.001
    assert run_json("--record", "gpt-3-175b")["model"] == "GPT-3 175B"  # by id


def test_an_unknown_record_suggests_names() -> None:
    line = one_line_error(*run("--record", "nosuch"))
    assert "no model 'nosuch'" in line and "closest names" in line
    line = one_line_error(*run("--record", "GPT-3 175"))
    assert "did you mean" in line and "'GPT-3 175B'" in line


def test_dataset_view_is_delegated() -> None:
    """--dataset hands over to the dataset view, with the thresholds given."""
    data = run_json("--dataset", "--threshold", "eu-systemic")
    assert [t["key"] for t in data["thresholds"]] == ["eu-systemic"]


# --- a planned run and a modification -----------------------------------------------------------

PLANNED = (*LLAMA, "--hardware", "H100", "--count", "16384", "--utilization", "0.4")


def test_planned_run_crossing_date_against_hand_calculation() -> None:
    from aicompute import hardware

    data = run_json(*PLANNED, "--start", "2024-01-01")
    peak, _ = hardware.get("H100").peak_flops()  # default precision: tensor FP16/BF16, dense
    per_day = 16384 * peak * 0.4 * 86_400
    date = dt.date(2024, 1, 1) + dt.timedelta(days=math.floor(1e25 / per_day))
    crossing = by_key(data["crossing_dates"])["eu-systemic"]
    assert crossing["date"] == date.isoformat()
    assert crossing["notify_by"] == (date + dt.timedelta(days=14)).isoformat()
    assert crossing["p_exceed"] >= 0.95
    assert by_key(data["crossing_dates"])["ca-sb53"]["date"] is None  # never, as planned
    assert data["planned"]["start"] == "2024-01-01"


def test_planned_run_human_output_and_progress() -> None:
    code, out, _ = run(*PLANNED, "--start", "2024-01-01")
    assert code == 0
    assert "Planned run" in out and "Notify by" in out and "P(crosses within the run)" in out
    data = run_json(*LLAMA, "--start", "2024-01-01", "--progress", "3T", "--as-of", "2024-02-01")
    assert data["planned"]["as_of"] == "2024-02-01"
    assert by_key(data["crossing_dates"])["eu-systemic"]["p_already"] is not None
    # --as-of defaults to today, resolved into the inputs
    data = run_json(*LLAMA, "--start", "2024-01-01", "--progress", "3T")
    assert data["inputs"]["planned"]["as_of"] == dt.date.today().isoformat()


def test_downstream_modification() -> None:
    sft = ("--params", "175B", "--tokens", "100B", "--kind", "sft")
    data = run_json("--params", "175B", "--tokens", "30B", "--base-record", "GPT-3 175B")
    down = data["downstream"]
    assert down["base"]["name"] == "GPT-3 175B"
    assert down["ratio"] == pytest.approx(6 * 175e9 * 30e9 / 3.14e23, rel=0.05)  # a tenth
    assert down["p_exceeds"] < 0.05
    code, out, _ = run(*sft, "--base-flop", "1e23", "--base-low-flop", "8e22",
                       "--base-high-flop", "1.2e23")  # fmt: skip
    assert code == 0 and "one-third rule" in out and "above one third" in out
    data = run_json(*sft, "--base-unknown")
    assert {r["threshold"] for r in data["downstream"]["unknown_base"]} == {
        "eu-gpai",
        "eu-systemic",
    }


def test_user_thresholds() -> None:
    data = run_json(*LLAMA, "--threshold", "eu-systemic", "--threshold", "3.5e25")
    assert [t["key"] for t in data["thresholds"]] == ["eu-systemic", "user-3.5e25"]
    assert 0.2 < data["thresholds"][1]["p_exceed"] < 0.9


# --- the report folder and --verify ---------------------------------------------------------


def report(tmp_path: Path, folder: str = "out", *args: str) -> Path:
    plan = write_plan(tmp_path)
    out = tmp_path / folder
    code, _, err = run("--stages", str(plan), "--report", str(out), *args)
    assert code == 0, err
    return out


def test_report_files_and_round_trip(tmp_path: Path) -> None:
    out = report(tmp_path, "out", "--start", "2025-01-01", "--progress", "3T", "--as-of",
                 "2025-02-01", "--base-flop", "1e25")  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "assessment.html",
        "assessment.json",
        "assessment.md",
        "distribution.svg",
    ]
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert set(doc) == {"inputs", "outputs", "version", "sha256"}
    assert doc["inputs"]["stages"][0]["tokens"] == "15T"  # the inputs as given
    page = (out / "assessment.html").read_text(encoding="utf-8")
    markdown = (out / "assessment.md").read_text(encoding="utf-8")
    for text in (page, markdown):
        assert doc["sha256"] in text
        assert "70B params × 2 FLOP/MAC × 3 (forward+backward) × 15T tokens" in text
        assert "https://eur-lex.europa.eu/eli/reg/2024/1689/oj" in text
        assert "not legal advice" in text and doc["version"] in text
        assert "Notify by" in text and "one third" in text
    assert "<svg" in page and "<script" not in page and "<link" not in page  # self-contained
    assert (out / "distribution.svg").read_text(encoding="utf-8").startswith("<svg")
    code, out_text, _ = run("--verify", str(out))
    assert code == 0
    assert out_text.strip() == f"verified: sha256 {doc['sha256']}"


def test_the_same_command_gives_the_same_digest(tmp_path: Path) -> None:
    first, second = report(tmp_path, "a"), report(tmp_path, "b")
    digests = [json.loads((d / "assessment.json").read_text())["sha256"] for d in (first, second)]
    assert digests[0] == digests[1]
    assert run_json("--stages", str(tmp_path / "plan.yaml"))["sha256"] == digests[0]
    report(tmp_path, "a")  # an earlier assessment's folder may be written again


def edit(folder: Path, change: Any) -> None:
    path = folder / "assessment.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def test_verify_names_a_changed_input(tmp_path: Path) -> None:
    out = report(tmp_path)
    edit(out, lambda d: d["inputs"]["stages"][0].update(tokens="16T"))
    code, text, _ = run("--verify", str(out))
    assert code == 1
    assert "the file was edited" in text
    assert "inputs.stages[0].tokens: '15T' -> '16T'" in text
    assert re.search(r"^outputs\.total_flop: 7\.1\d*e\+24 -> 7\.5\d*e\+24$", text, re.M), text


def test_verify_names_a_changed_output(tmp_path: Path) -> None:
    out = report(tmp_path)
    stored = json.loads((out / "assessment.json").read_text())["outputs"]["thresholds"][1]
    edit(out, lambda d: d["outputs"]["thresholds"][1].update(p_exceed=0.5))
    code, text, _ = run("--verify", str(out))
    assert code == 1
    lines = text.strip().splitlines()
    assert "the file was edited" in lines[0]
    assert f"outputs.thresholds[1].p_exceed: 0.5 -> {stored['p_exceed']:.6g}" in lines


def test_verify_a_consistent_edit_and_another_version(tmp_path: Path) -> None:
    """An edit that recomputes the digest is still caught by re-running; a record made by
    another version says so."""
    from aicompute.threshold.digest import digest

    out = report(tmp_path)

    def forge(d: dict[str, Any]) -> None:
        d["outputs"]["total_flop"] = 1e24
        d["version"] = "0.0.1"
        d["sha256"] = digest(d["inputs"], d["outputs"], d["version"])

    edit(out, forge)
    code, text, _ = run("--verify", str(out))
    assert code == 1
    assert "the file was edited" not in text
    assert "made by aicompute 0.0.1, this is" in text
    assert "outputs.total_flop: 1e+24 -> " in text
    assert "assessment.md: names another digest" in text  # the page shows the original


def test_verify_checks_the_page_and_markdown_name_the_digest(tmp_path: Path) -> None:
    out = report(tmp_path)
    page = out / "assessment.html"
    sha = json.loads((out / "assessment.json").read_text())["sha256"]
    page.write_text(page.read_text().replace(sha, "0" * 64), encoding="utf-8")
    code, text, _ = run("--verify", str(out))
    assert code == 1
    assert text.strip() == f"assessment.html: names another digest ({'0' * 64}), not {sha}"


@pytest.mark.parametrize(
    ("content", "needle"),
    [(None, "no such file"), ("{", "not valid JSON"), ('{"inputs": {}}', "not an assessment")],
)
def test_verify_without_a_record(tmp_path: Path, content: str | None, needle: str) -> None:
    if content is not None:
        (tmp_path / "assessment.json").write_text(content)
    line = one_line_error(*run("--verify", str(tmp_path)))
    assert line.startswith("aicompute: error: --verify: ") and needle in line


def test_report_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    code, out, err = run(*LLAMA, "--report", str(tmp_path / "out"))
    line = one_line_error(code, out, err)
    assert "--report" in line and "notes.txt" in line
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt"]


def test_user_text_is_escaped_in_the_page(tmp_path: Path) -> None:
    plan = PLAN.replace("name: SFT", 'name: "<script>alert(1)</script> | *x*"')
    plan = plan.replace("model: Example 70B", 'model: "<img src=x onerror=alert(1)>"')
    path = write_plan(tmp_path, plan)
    code, _, err = run("--stages", str(path), "--report", str(tmp_path / "out"))
    assert code == 0, err
    page = (tmp_path / "out" / "assessment.html").read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = (tmp_path / "out" / "assessment.md").read_text()
    assert "\\<script\\>" in markdown and "\\| \\*x\\*" in markdown
    assert run("--verify", str(tmp_path / "out"))[0] == 0


# --- staying light --------------------------------------------------------------------------


def test_help_and_bad_input_stay_light() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from aicompute.cli import app\n"
        "r = CliRunner().invoke(app, ['threshold', '--help'])\n"
        "assert r.exit_code == 0\n"
        "print(','.join(m for m in ('numpy', 'pandas', 'torch', 'scipy') if m in sys.modules))\n"
        "r = CliRunner().invoke(app, ['threshold', '--params', '7B', '--tokens', 'abc'])\n"
        "assert r.exit_code == 2\n"
        "print(','.join(m for m in ('pandas', 'torch', 'scipy') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["", ""]


# --- the page in a browser --------------------------------------------------------------------


@BROWSER[0]
@BROWSER[1]
def test_report_page_fits_a_phone_and_a_desktop(tmp_path: Path) -> None:
    out = report(tmp_path, "out", "--start", "2025-01-01", "--progress", "3T", "--as-of",
                 "2025-02-01", "--base-flop", "1e25")  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    assert sync_playwright is not None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width in (390, 1400):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto((out / "assessment.html").resolve().as_uri())
                scroll, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                assert scroll <= inner, f"{width}px: the page scrolls sideways"
                # one rendering of the chart shows at each width, and it fits
                shown = page.locator("figure svg:visible")
                assert shown.count() == 1
                box = shown.bounding_box()
                assert box is not None and box["x"] + box["width"] <= width
                page.screenshot(
                    path=str(ARTIFACTS / f"threshold-report-{width}.png"), full_page=True
                )
                page.close()
        finally:
            browser.close()


def test_a_single_rl_or_synthetic_stage_on_the_command_line() -> None:
    """--generated-tokens adds the stage's inference: 2 x parameters per token, forward only,
    on top of its training (6·N·D); a synthetic-data stage may be generation alone, and the
    10^23 criterion (parameter updates only) leaves it out."""
    rl = run_json("--kind", "rl", "--params", "70B", "--tokens", "5B", "--generated-tokens", "200B")
    assert rl["total_flop"] == pytest.approx(6 * 70e9 * 5e9 + 2 * 70e9 * 200e9, rel=0.005)
    assert rl["stages"][0]["kind"] == "rl"
    data = run_json(
        "--kind", "synthetic_data", "--generated-tokens", "1T", "--generator-params", "405B"
    )
    assert data["total_flop"] == pytest.approx(2 * 405e9 * 1e12, rel=0.005)
    gpai = by_key(data["thresholds"])["eu-gpai"]
    assert gpai["p_exceed"] == 0 and gpai["excluded_stages"] == ["synthetic-data generation"]
    for args, flag in (
        (("--generated-tokens", "1T"), "--generator-params"),
        (("--generated-tokens", "lots", "--generator-params", "1B"), "--generated-tokens"),
        (("--params", "1B", "--tokens", "1T", "--generator-params", "1B"), "--generator-params"),
        (("--stages", "x.yaml", "--generated-tokens", "1T"), "--generated-tokens"),
    ):
        line = one_line_error(*run(*args))
        assert line.startswith(f"aicompute: error: {flag}") or f"({flag}) and --stages" in line
