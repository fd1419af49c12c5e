"""Programmatic counting against independent figures: published counts, hand calculations,
analytic formulas; forward and backward, meta and real CPU tensors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from aicompute import InputError  # noqa: E402
from aicompute.cli import app  # noqa: E402
from aicompute.counting import count, presets  # noqa: E402
from aicompute.counting.counter import OperationCounter  # noqa: E402


@pytest.mark.parametrize(
    ("name", "kwargs", "macs"),
    [
        ("resnet50", {}, 4_089_184_256),
        ("vgg16", {}, 15_470_264_320),
        ("alexnet", {}, 714_188_480),
        ("bert-base", {"seq_len": 128}, 11.174e9),
        ("bert-base", {"seq_len": 512}, 48.32e9),
        ("gpt2", {"seq_len": 1024}, 145.8e9),
        ("vit-b16", {}, 17.56e9),
    ],
)
@pytest.mark.slow
def test_published_forward_counts(name: str, kwargs: dict, macs: float) -> None:
    result = count(name, **kwargs)
    assert result.forward_macs == pytest.approx(macs, rel=1e-3)
    assert result.uncounted_ops == {}


def test_alexnet_2012_two_groups() -> None:
    result = count("alexnet-2012")
    assert result.forward_macs == pytest.approx(0.72e9, rel=0.01)
    # by hand: conv1 55·55·96·(11·11·3); conv2 27·27·256·(5·5·48); conv3 13·13·384·(3·3·256);
    # conv4 13·13·384·(3·3·192); conv5 13·13·256·(3·3·192); fc 9216·4096 + 4096² + 4096·1000
    hand = (
        55 * 55 * 96 * 363
        + 27 * 27 * 256 * 1200
        + 13 * 13 * 384 * 2304
        + 13 * 13 * 384 * 1728
        + 13 * 13 * 256 * 1728
        + 9216 * 4096
        + 4096 * 4096
        + 4096 * 1000
    )
    assert result.forward_macs == hand


def test_tiny_model_by_hand() -> None:
    class Tiny(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)  # 8x8 input -> 6x6 output
            self.fc = nn.Linear(4 * 6 * 6, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc(torch.flatten(F.relu(self.conv(x)), 1))

    result = count(Tiny(), input_shape=(3, 8, 8), batch_size=2)
    conv, fc = 6 * 6 * 4 * (3 * 3 * 3), 144 * 10
    assert result.forward_macs == conv + fc
    # backward: weight gradients of both layers, input gradient of fc only (x needs none)
    assert result.backward_macs == conv + 2 * fc
    assert result.per_operator["forward"] == {"convolution": 2 * conv, "addmm": 2 * fc}


def test_dense_language_model_backward_is_exactly_twice() -> None:
    result = count("gpt2", seq_len=256)
    assert result.training_ratio == pytest.approx(3.0, abs=1e-9)
    assert result.backward_macs == 2 * result.forward_macs


def test_first_layer_without_input_gradient() -> None:
    result = count("alexnet")
    assert result.training_ratio == pytest.approx(2.90, abs=0.01)
    ratio_measured = count("vgg16").training_ratio
    assert 2.9 < ratio_measured < 3.0


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_grouped_depthwise_transposed_conv_and_einsum(device: str) -> None:
    def run(fn):  # type: ignore[no-untyped-def]
        with OperationCounter() as c:
            out = fn()
            out.sum().backward()
        return c.forward.macs, c.backward.macs, dict(c.forward.uncounted + c.backward.uncounted)

    x = torch.randn(2, 8, 10, 10, device=device, requires_grad=True)
    grouped = nn.Conv2d(8, 16, 3, padding=1, groups=4).to(device)
    fwd, bwd, unc = run(lambda: grouped(x))
    assert fwd == 2 * 10 * 10 * 16 * (3 * 3 * 2) and bwd == 2 * fwd and unc == {}
    depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8).to(device)
    fwd, bwd, _ = run(lambda: depthwise(x))
    assert fwd == 2 * 10 * 10 * 8 * 9 and bwd == 2 * fwd  # never 'x groups'
    transposed = nn.ConvTranspose2d(8, 4, 3, stride=2, groups=2).to(device)
    fwd, bwd, _ = run(lambda: transposed(x))
    assert fwd == 2 * 8 * 10 * 10 * 2 * 9  # every input element meets C_out/groups kernels
    assert bwd == 2 * fwd
    a = torch.randn(3, 5, 7, device=device, requires_grad=True)
    b = torch.randn(3, 7, 4, device=device, requires_grad=True)
    fwd, bwd, unc = run(lambda: torch.einsum("bij,bjk->bik", a, b))
    assert (fwd, bwd, unc) == (3 * 5 * 7 * 4, 2 * 3 * 5 * 7 * 4, {})


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_attention_on_cpu_and_meta(device: str) -> None:
    q = torch.randn(2, 4, 32, 16, device=device, requires_grad=True)
    with OperationCounter() as c:
        F.scaled_dot_product_attention(q, q, q, is_causal=True).sum().backward()
    full = 2 * 4 * 32 * 32 * (16 + 16)
    assert c.forward.macs == full  # meta runs the math kernel, CPU the fused one: same count
    assert c.backward.macs == 2 * full
    assert not c.forward.uncounted and not c.backward.uncounted


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_grouped_matmul_experts(device: str) -> None:
    tokens = torch.randn(12, 16, device=device, dtype=torch.bfloat16, requires_grad=True)
    experts = torch.randn(3, 8, 16, device=device, dtype=torch.bfloat16).transpose(-2, -1)
    experts.requires_grad_()
    offsets = torch.tensor([4, 8, 12], dtype=torch.int32, device=device)
    with OperationCounter() as c:
        torch._grouped_mm(tokens, experts, offs=offsets).float().sum().backward()
    assert c.forward.macs == 12 * 16 * 8  # each token through one expert: not zero
    assert c.backward.macs == 2 * 12 * 16 * 8


@pytest.mark.slow
def test_causal_half_switch() -> None:
    full = count("gpt2", seq_len=1024)
    causal = count("gpt2", seq_len=1024, attention="causal")
    # the causal mask keeps 1 + 2 + ... + T scores of T²: T(T - 1)/2 are left out
    left_out = 12 * 12 * (1024 * 1023 // 2) * (64 + 64)  # layers · heads · scores · (d + d)
    assert full.forward_macs - causal.forward_macs == left_out
    assert full.backward_macs - causal.backward_macs == 2 * left_out
    assert causal.attention == "causal" and full.attention == "full"
    half = count("gpt2", seq_len=1024, causal_half=True)  # the older name of causal
    assert half.attention == "causal" and half.forward_macs == causal.forward_macs


def test_llama_matches_palm_and_chinchilla() -> None:
    result = count("llama-3.1-8b", seq_len=4096)
    spec = presets()["llama-3.1-8b"].spec
    assert result.params == pytest.approx(8.03e9, rel=0.001)  # the published 8.03B
    per_token = result.formulas["per_token_training_flop"]
    # PaLM: 6N + 12·L·H·Q·T, N = parameters a token multiplies (embedding table excluded)
    n = result.params - spec.vocab * spec.d_model - (2 * spec.n_layers + 1) * spec.d_model
    palm = 6 * n + 12 * spec.n_layers * spec.n_heads * spec.dim_head * 4096
    assert per_token["counted"] == pytest.approx(palm, rel=1e-9)
    assert per_token["palm"] == pytest.approx(palm, rel=1e-9)
    # Chinchilla's appendix also counts the embedding lookup as a matmul (2·V·d per token),
    # the softmax, and full-width key/value projections (no grouped-query attention)
    extra = 3 * (
        2 * spec.vocab * spec.d_model
        + 3 * spec.n_heads * 4096 * spec.n_layers
        + 2 * 2 * spec.d_model * (spec.n_heads - spec.kv_heads) * spec.dim_head * spec.n_layers
    )
    assert per_token["chinchilla"] - extra == pytest.approx(per_token["counted"], rel=1e-6)
    assert per_token["six_nd"] < per_token["counted"]


def analytic_moe_forward_per_token(name: str, seq_len: int) -> tuple[float, float]:
    """Forward multiply-adds per token and active parameters, from the shapes alone."""
    s = presets()[name].spec
    d, h, kv, hd, layers = s.d_model, s.n_heads, s.kv_heads, s.dim_head, s.n_layers
    attn_proj = d * h * hd + 2 * d * kv * hd + h * hd * d
    experts = s.moe.top_k * 3 * d * s.moe.d_ff_expert
    router = d * s.moe.n_experts
    attention = 2 * seq_len * h * hd
    macs = layers * (attn_proj + router + experts + attention) + d * s.vocab
    active = layers * (attn_proj + router + experts + 2 * d) + 2 * s.vocab * d + d
    return macs, active


@pytest.mark.parametrize("name", ["mixtral-8x7b", "qwen3-30b-a3b"])
@pytest.mark.slow
def test_mixture_of_experts_expected_routing(name: str) -> None:
    result = count(name, seq_len=2048)
    macs, active = analytic_moe_forward_per_token(name, 2048)
    assert result.forward_macs / 2048 == pytest.approx(macs, rel=0.01)
    assert result.active_params == pytest.approx(active, rel=0.01)
    published = {"mixtral-8x7b": (46.7e9, 12.9e9), "qwen3-30b-a3b": (30.5e9, 3.3e9)}[name]
    assert result.params == pytest.approx(published[0], rel=0.01)
    assert result.active_params == pytest.approx(published[1], rel=0.03)
    assert result.training_ratio == pytest.approx(3.0)


def test_deepseek_v3_shape() -> None:
    result = count("deepseek-v3", seq_len=1024, backward="ratio")
    assert result.params == pytest.approx(671e9, rel=0.01)  # without the MTP module
    assert result.active_params == pytest.approx(37e9, rel=0.03)
    assert result.backward_mode == "ratio" and result.backward_macs == 2 * result.forward_macs


def test_training_compute_and_estimate() -> None:
    result = count("gpt2", seq_len=1024, tokens=1e9)
    assert result.training_flop == pytest.approx(3 * 2 * 145.8e9 / 1024 * 1e9, rel=1e-3)
    est = result.to_estimate()
    assert est.method == "operations" and est.flop == pytest.approx(result.training_flop)
    images = count("resnet50", examples=1.28e6, epochs=90)
    assert images.training_flop == pytest.approx(
        (images.forward_flop + images.backward_flop) * 1.28e6 * 90
    )
    recomputed = count("gpt2", seq_len=512, recompute=True)
    assert recomputed.hardware_flop == pytest.approx(
        recomputed.training_flop_per_example + recomputed.forward_flop
    )


@pytest.mark.slow
def test_hugging_face_config(tmp_path: Path) -> None:
    config = {
        "model_type": "llama",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "intermediate_size": 14336,
        "vocab_size": 128256,
        "tie_word_embeddings": False,
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    from_config = count(str(path), seq_len=2048)
    preset = count("llama-3.1-8b", seq_len=2048)
    assert from_config.forward_macs == preset.forward_macs
    assert from_config.params == preset.params
    assert count(str(tmp_path), seq_len=2048).params == preset.params  # a folder works too


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"model_type": "nonesuch"}, "unknown architecture 'nonesuch'"),
        ({"model_type": "llama", "hidden_size": 64}, "missing num_attention_heads"),
        (
            {
                "model_type": "llama",
                "hidden_size": -1,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "intermediate_size": 8,
                "vocab_size": 10,
            },
            "hidden_size must be a positive integer",
        ),
    ],
)
def test_bad_configs(tmp_path: Path, config: dict, needle: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    with pytest.raises(InputError, match=needle):
        count(str(path))


def broken_factory() -> nn.Module:
    raise ValueError("no weights here")


def small_factory() -> nn.Module:
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))


def test_factories_and_bad_input() -> None:
    result = count(f"{__name__}:small_factory", input_shape=(8, 16))
    assert result.forward_macs == 8 * (16 * 32 + 32 * 4)
    with pytest.raises(InputError, match="ValueError: no weights here"):
        count(f"{__name__}:broken_factory", input_shape=(16,))
    with pytest.raises(InputError, match="failed on an input of shape"):
        count(f"{__name__}:small_factory", input_shape=(8, 15))
    with pytest.raises(InputError, match="cannot import"):
        count("no_such_package.models:make")
    with pytest.raises(InputError, match="did you mean gpt2"):
        count("gtp2")
    with pytest.raises(InputError, match="has 1024 positions"):
        count("gpt2", seq_len=4096)


def test_cli_count_json_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["count", "gpt2", "--seq-len", "1024", "--tokens", "300B", "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    for key in (
        "params",
        "active_params",
        "forward_flop",
        "backward_flop",
        "forward_flop_per_token",
        "training_flop",
        "training_pfs_days",
        "uncounted_ops",
        "formulas",
    ):
        assert key in data
    assert data["forward_flop"] == pytest.approx(2 * 145.8e9, rel=1e-3)
    assert {"six_nd", "kaplan", "chinchilla"} <= set(data["formulas"])
    r = runner.invoke(app, ["count", "resnet50", "--by-module"], env={"COLUMNS": "120"})
    assert r.exit_code == 0 and "ResNet.layer3" in r.stdout and "convolution_backward" in r.stdout
    r = runner.invoke(app, ["count", "gpt2", "--seq-len", "0"])
    assert r.exit_code == 2 and "seq_len" in r.stderr
    r = runner.invoke(app, ["count", "bogus-model"])
    assert r.exit_code == 2 and "unknown model" in r.stderr
    out = tmp_path / "mine.yaml"
    r = runner.invoke(
        app,
        [
            "count",
            "gpt2",
            "--seq-len",
            "1024",
            "--tokens",
            "9B",
            "--save-record",
            str(out),
            "--date",
            "2019-02-14",
        ],
    )
    assert r.exit_code == 0, r.stderr
    from aicompute.dataset import read

    saved = read(out).records[0]
    assert saved.flop == pytest.approx(3 * 2 * 145.8e9 / 1024 * 9e9, rel=1e-3)
    assert saved.estimates[0].method == "operations"
    assert math.isclose(saved.parameters, 124_439_808)


def test_cli_factory_errors_are_one_line() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["count", f"{__name__}:broken_factory", "--input-shape", "16"])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"aicompute: error: model: building {__name__}:broken_factory failed: "
        "ValueError: no weights here"
    ]
    r = runner.invoke(app, ["count", f"{__name__}:small_factory", "--input-shape", "8x15"])
    assert r.exit_code == 2 and "failed on an input of shape [1, 8, 15]" in r.stderr


def test_without_torch_the_command_says_how_to_install() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from aicompute.cli import main\n"
        "sys.argv = ['aicompute', 'count', 'gpt2']\n"
        "main()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "pip install 'aicompute[torch]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_count_becomes_a_record_in_the_library(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The record a count saves is built by the library (CountResult.to_record), not the CLI;
    a missing date is refused before torch loads on the command line."""
    result = count("gpt2", seq_len=1024, tokens=9e9)
    record = result.to_record("2019-02-14")
    assert record.flop == pytest.approx(3 * 2 * 145.8e9 / 1024 * 9e9, rel=1e-3)
    assert record.estimates[0].inputs["tokens"] == 9e9 and record.domain == "Language"
    with pytest.raises(InputError, match="date"):
        result.to_record(None)
    with pytest.raises(InputError, match=r"^date: "):
        result.to_record("2019-13-01")
    r = CliRunner().invoke(app, ["count", "gpt2", "--save-record", str(tmp_path / "x.yaml")])
    assert r.exit_code == 2 and "--save-record needs --date" in r.stderr
