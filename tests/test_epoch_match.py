"""Pairing our records with Epoch AI's rows: one to one, never two different models."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aicompute import dataset
from aicompute.cli import app
from aicompute.dataset import Record
from aicompute.dataset.check import Match, compare, normalize_name
from aicompute.dataset.match import match_epoch, name_conflict, org_families
from tests.conftest import EPOCH, needs_shared

runner = CliRunner()


def rec(name: str, date: str, flop: float = 1e20, **kw: object) -> Record:
    return Record(name=name, date=date, flop=flop, sources=["https://example.org"], **kw)


def pairs(ours: list[Record], theirs: list[Record], **kw: object) -> set[tuple[str, str]]:
    return {(m.name, m.epoch_name) for m in match_epoch(ours, theirs, **kw).matches}  # type: ignore[arg-type]


def test_still_importable_from_check() -> None:
    assert normalize_name("GPT-3 175B (davinci)") == "gpt3175bdavinci"
    assert Match.__module__ == "aicompute.dataset.match"
    assert compare([], []) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("StyleGAN", "StyleGAN2"),
        ("StyleGAN2 (config F, FFHQ)", "StyleGAN"),
        ("Llama 2 13B", "Llama 2-70B"),
        ("Llama 2 13B", "SPHINX (Llama 2 13B)"),
        ("GPT-3 175B", "GPT-3 6.7B"),
        ("GPT-3 13B", "GPT-3 175B (davinci)"),
        ("Chinchilla", "Gopher (280B)"),
        ("Faster R-CNN (VGG16, VOC07)", "VGG16"),
        ("Fast R-CNN (VGG16)", "VGG16"),
        ("OpenAI Five", "OpenAI Five Rerun"),
        ("BERT-Base", "BERT-Large"),
        ("GPT-4o", "GPT-4"),
        ("Grok-1", "Grok 3"),
        ("Mistral 7B", "Mistral Large"),
        ("Whisper large-v2", "Whisper"),
        ("LLaMA-7B", "Llama 2-7B"),
    ],
)
def test_different_models_never_match_by_name(a: str, b: str) -> None:
    assert name_conflict(a, b) is not None
    assert name_conflict(b, a) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("GPT-3 175B", "GPT-3 175B (davinci)"),
        ("Llama 2 70B", "Llama 2-70B"),
        ("Llama 2 13B", "Llama 2 13 billion"),
        ("PaLM 540B", "PaLM (540B)"),
        ("Chinchilla 70B", "Chinchilla"),
        ("AlphaGoZero", "AlphaGo Zero"),
        ("GoogleNet", "GoogLeNet / InceptionV1"),
        ("StyleGAN (FFHQ 1024x1024)", "StyleGAN"),
        ("ViT-H/14", "ViT-Huge/14"),
        ("HuBERT X-Large", "HuBERT"),
        ("ResNeXt-101 (64x4d)", "ResNeXt-101 (64×4d)"),
        ("Model (base)", "Model"),
        ("TI7 Dota 1v1", "TI7 DOTA 1v1"),
    ],
)
def test_same_model_spelled_differently(a: str, b: str) -> None:
    assert name_conflict(a, b) is None


def test_organisation_families() -> None:
    assert org_families("Google DeepMind") & org_families("DeepMind")
    assert org_families("Google Brain") & org_families("Google Research, Google")
    assert org_families("Meta AI") & org_families("Facebook AI Research")
    assert not org_families("OpenAI") & org_families("Anthropic")


def test_stylegan_and_stylegan2_stay_apart() -> None:
    ours = [rec("StyleGAN2", "2019-12-03", parameters=30e6)]
    theirs = [rec("StyleGAN", "2018-12-12", parameters=26.2e6)]
    result = match_epoch(ours, theirs)
    assert result.matches == []
    assert [u["name"] for u in result.unmatched_ours] == ["StyleGAN2"]
    assert result.unmatched_epoch == ["StyleGAN"]


def test_llama_sizes_and_sphinx() -> None:
    ours = [
        rec("Llama 2 13B", "2023-07-18", 1.56e23, parameters=13e9),
        rec("Llama 2 70B", "2023-07-18", 8.4e23, parameters=70e9),
    ]
    theirs = [
        rec("Llama 2-70B", "2023-07-18", 8.1e23, parameters=70e9),
        rec("SPHINX (Llama 2 13B)", "2023-11-13", 3e21, parameters=19.9e9),
    ]
    result = match_epoch(ours, theirs)
    assert {(m.name, m.epoch_name) for m in result.matches} == {("Llama 2 70B", "Llama 2-70B")}
    assert [u["name"] for u in result.unmatched_ours] == ["Llama 2 13B"]


def test_a_family_of_sizes_pairs_each_with_its_own() -> None:
    ours = [
        rec("GPT-3 175B", "2020-05-28", 3.14e23, parameters=175e9),
        rec("GPT-3 13B", "2020-05-28", 2.3e22, parameters=13e9),
        rec("GPT-3 6.7B", "2020-05-28", 1.2e22, parameters=6.7e9),
        rec("Chinchilla 70B", "2022-03-29", 5.8e23, parameters=70e9, organization="DeepMind"),
    ]
    theirs = [
        rec("GPT-3 6.7B", "2020-05-28", 1.2e22, parameters=6.66e9),
        rec("GPT-3 175B (davinci)", "2020-05-28", 3.14e23, parameters=174.6e9),
        rec("Gopher (280B)", "2021-12-08", 6.3e23, parameters=280e9, organization="DeepMind"),
        rec("Chinchilla", "2022-03-29", 5.76e23, parameters=70e9, organization="DeepMind"),
    ]
    assert pairs(ours, theirs) == {
        ("GPT-3 175B", "GPT-3 175B (davinci)"),
        ("GPT-3 6.7B", "GPT-3 6.7B"),
        ("Chinchilla 70B", "Chinchilla"),
    }


def test_parameters_far_apart_are_different_models() -> None:
    ours = [rec("Flamingo", "2022-04-29", parameters=3e9)]
    theirs = [rec("Flamingo", "2022-04-29", parameters=80e9)]
    result = match_epoch(ours, theirs)
    assert result.matches == []
    assert "parameters" in result.unmatched_ours[0]["note"]


def test_detectors_are_not_their_backbone() -> None:
    ours = [
        rec("R-CNN (VGG16 backbone)", "2013-11-11"),
        rec("Fast R-CNN (VGG16)", "2015-04-30"),
        rec("Faster R-CNN (VGG16, VOC07)", "2015-06-04"),
        rec("Fully Convolutional Network (FCN-8s, VGG16)", "2014-11-14"),
    ]
    theirs = [rec("VGG16", "2014-09-04"), rec("VGG19", "2014-09-04")]
    assert pairs(ours, theirs) == set()


def test_renamed_models_through_the_alias_table() -> None:
    ours = [rec("Attention is all you need", "2017-06", organization="Google")]
    ours[0] = ours[0].model_copy(update={"id": "attention-is-all-you-need"})
    theirs = [rec("Transformer", "2017-06-12", organization="Google Research, Google Brain")]
    result = match_epoch(ours, theirs)
    assert [(m.name, m.epoch_name) for m in result.matches] == [
        ("Attention is all you need", "Transformer")
    ]
    assert result.matches[0].reason.startswith("alias: ")
    custom = {"my-model": ("Their Model", "renamed on release")}
    mine = [rec("My Model", "2020-01-01").model_copy(update={"id": "my-model"})]
    assert pairs(mine, [rec("Their Model", "2020-02-01")], aliases=custom) == {
        ("My Model", "Their Model")
    }


def test_one_to_one_the_better_of_two_of_ours_wins() -> None:
    ours = [
        rec("GPT-3 175B", "2020-05-28", parameters=175e9),
        rec("GPT-3 (davinci)", "2020-11-01"),
    ]
    theirs = [rec("GPT-3 175B (davinci)", "2020-05-28", parameters=174.6e9)]
    result = match_epoch(ours, theirs)
    assert [(m.name, m.epoch_name) for m in result.matches] == [
        ("GPT-3 175B", "GPT-3 175B (davinci)")
    ]
    assert [u["name"] for u in result.unmatched_ours] == ["GPT-3 (davinci)"]


def test_two_equally_good_rows_are_ambiguous_not_paired() -> None:
    ours = [rec("Dropout", "2012-06-03", organization="University of Toronto")]
    theirs = [
        rec(f"Dropout ({task})", "2012-06-03", organization="University of Toronto")
        for task in ("MNIST", "ImageNet")
    ]
    result = match_epoch(ours, theirs)
    assert result.matches == []
    assert len(result.ambiguous) == 1
    assert set(result.ambiguous[0].epoch) == {"Dropout (MNIST)", "Dropout (ImageNet)"}
    assert result.unmatched_ours == [] and result.unmatched_epoch == []


def test_two_of_ours_equally_good_for_one_row_are_ambiguous() -> None:
    ours = [rec("NetTalk (dictionary)", "1987-06-06"), rec("NetTalk (transcription)", "1987-06")]
    theirs = [rec("NetTalk", "1987-06-06")]
    result = match_epoch(ours, theirs)
    assert result.matches == [] and len(result.ambiguous) == 1
    assert set(result.ambiguous[0].ours) == set(n.name for n in ours)


def test_dates_too_far_apart_do_not_match() -> None:
    assert pairs([rec("DQN", "2015-02-25")], [rec("DQN", "2013-12-19")]) == set()


KNOWN_DIFFERENT = {
    ("StyleGAN2 (config F, FFHQ)", "StyleGAN"),
    ("Llama 2 13B", "SPHINX (Llama 2 13B)"),
    ("Faster R-CNN (VGG16, VOC07)", "VGG16"),
    ("Fast R-CNN (VGG16)", "VGG16"),
    ("R-CNN (VGG16 backbone)", "VGG16"),
    ("Fully Convolutional Network (FCN-8s, VGG16)", "VGG16"),
    ("Mistral 7B", "Mistral Large"),
    ("SigLIP (B/16, from scratch)", "SigLIP 400M"),
    ("Perceptron", "Perceptron (1960)"),
    ("Whisper large-v2", "Whisper"),
    ("GPT-3 13B", "GPT-3 175B (davinci)"),
    ("HyperCLOVA 82B", "HyperCLOVA 204B"),
}

KNOWN_SAME = {
    "AlexNet": "AlexNet",
    "GPT-3 175B": "GPT-3 175B (davinci)",
    "PaLM 540B": "PaLM (540B)",
    "Chinchilla": "Chinchilla",
    "Gopher": "Gopher (280B)",
    "Llama 2 70B": "Llama 2-70B",
    "AlphaGo Zero": "AlphaGo Zero",
    "AlphaZero": "AlphaZero",
    "BERT-Large": "BERT-Large",
    "GPT-2 (1.5B)": "GPT-2 (1.5B)",
    "T5-11B": "T5-11B",
    "OPT-175B": "OPT-175B",
    "GPT-4": "GPT-4",
    "Megatron-Turing NLG 530B": "Megatron-Turing NLG 530B",
    "StyleGAN": "StyleGAN",
    "DeepSeek-V3": "DeepSeek-V3",
}
"""The start of our name → Epoch's name (checked by hand; our names may gain a qualifier)."""


@needs_shared
def test_on_the_real_epoch_csv() -> None:
    theirs = dataset.read(EPOCH).records
    ours = dataset.read_embedded().records
    result = match_epoch(ours, theirs)
    found = {(m.name, m.epoch_name) for m in result.matches}
    assert not found & KNOWN_DIFFERENT
    by_epoch = {m.epoch_name: m.name for m in result.matches}
    for our_start, epoch_name in KNOWN_SAME.items():
        if any(normalize_name(r.name).startswith(normalize_name(our_start)) for r in ours):
            assert epoch_name in by_epoch, epoch_name
            assert normalize_name(by_epoch[epoch_name]).startswith(normalize_name(our_start))
    epoch_used = [m.epoch_name for m in result.matches]
    assert len(epoch_used) == len(set(epoch_used))  # one to one
    assert len(result.matches) >= 100


@needs_shared
def test_compare_cli_json_fields() -> None:
    r = runner.invoke(app, ["data", "compare", "--epoch", str(EPOCH), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    for key in ("matched", "matches", "ambiguous", "unmatched_ours", "unmatched_epoch", "credit"):
        assert key in data
    assert data["matched"] == len(data["matches"])
    assert data["unmatched_epoch"]["count"] == len(data["unmatched_epoch"]["names"])
    assert all("score" in m and "reason" in m for m in data["matches"])
    text = runner.invoke(app, ["data", "compare", "--epoch", str(EPOCH), "--top", "3"])
    assert text.exit_code == 0
    assert "matched with confidence" in text.stdout and "ambiguous" in text.stdout


@needs_shared
def test_every_alias_and_known_difference_names_a_record_and_an_epoch_row() -> None:
    """The tables are keyed by record ids and Epoch's names: a renamed record, or an Epoch
    rename, would silently switch an entry off, so each must name something that exists."""
    from aicompute.dataset import read, read_embedded
    from aicompute.dataset.match import ALIASES, DIFFERENT

    ours = {r.id for r in read_embedded().records}
    theirs = {r.name for r in read(EPOCH).records}
    assert not [k for k in ALIASES if k not in ours]
    assert not [name for name, _why in ALIASES.values() if name not in theirs]
    assert not [k for k, name in DIFFERENT if k not in ours or name not in theirs]
