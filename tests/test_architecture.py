"""Layer-by-layer counting of small architectures, checked against hand calculations."""

from __future__ import annotations

import pytest

from aicompute import InputError, count_architecture


def test_conv_padding_stride_and_groups() -> None:
    # AlexNet-style first layer on 227x227x3: 96 filters 11x11 stride 4 -> 55x55x96
    net = count_architecture("input 227x227x3; conv 96 11x11 stride=4")
    layer = net.layers[1]
    assert layer.output_shape == (55, 55, 96)
    assert layer.macs == 55 * 55 * 96 * 11 * 11 * 3
    assert layer.params == 96 * 11 * 11 * 3 + 96
    # 3x3 "same" padding keeps the size; explicit padding=1 too
    same = count_architecture("input 56x56x64; conv 64 3x3 padding=same")
    one = count_architecture("input 56x56x64; conv 64 3x3 padding=1")
    assert same.layers[1].output_shape == one.layers[1].output_shape == (56, 56, 64)
    assert same.forward_macs == 56 * 56 * 64 * 3 * 3 * 64
    # grouped (two-GPU AlexNet conv2): each filter sees half the channels
    grouped = count_architecture("input 27x27x96; conv 256 5x5 padding=2 groups=2")
    assert grouped.forward_macs == 27 * 27 * 256 * 5 * 5 * 48
    # depthwise: groups = channels
    depthwise = count_architecture("input 112x112x32; conv 32 3x3 padding=1 groups=32")
    assert depthwise.forward_macs == 112 * 112 * 32 * 9


def test_vgg16_matches_its_known_count() -> None:
    """VGG-16 at 224x224: 15,470,264,320 multiply-adds (the standard published count)."""
    lines = ["input 224x224x3"]
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        lines.append(f"conv {filters} 3x3 padding=1 repeat={convs}")
        lines.append("pool 2x2")
    lines += ["dense 4096", "dense 4096", "dense 1000"]
    net = count_architecture(lines)
    assert net.forward_macs == 15_470_264_320
    assert net.params == 138_357_544  # VGG-16's parameter count


def test_recurrent_cells() -> None:
    lstm = count_architecture("input 512; lstm 1024")
    assert lstm.forward_macs == 4 * (512 * 1024 + 1024 * 1024)
    gru = count_architecture("input 512; gru 1024 layers=2")
    assert gru.forward_macs == 3 * (512 * 1024 + 1024**2) + 3 * (1024 * 1024 + 1024**2)
    bi = count_architecture("input 100; rnn 200 bidirectional; dense 10")
    assert bi.layers[1].output_shape == (400,)  # directions concatenated by default
    assert bi.forward_macs == 2 * (100 * 200 + 200 * 200) + 400 * 10


def test_embedding_is_a_lookup() -> None:
    net = count_architecture("input 1; embedding 50000 512; dense 512")
    assert net.layers[1].macs == 0 and net.layers[1].params == 50000 * 512
    assert net.forward_macs == 512 * 512


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("conv 3 3x3", "start with an 'input' line"),
        ("input 10x10x3; conv 8 11x11", "does not fit"),
        ("input 10x10x3; conv 8", "expects"),
        ("input 10x10x3; conv 8 3x3 stride=0", "stride must be positive"),
        ("input 10x10x3; conv 8 3x3 wobble=2", "unknown option"),
        ("input 10x10x3; teleport 3", "unknown layer kind"),
        ("input 10x10x3; conv 8 3x3 groups=2", "groups=2 must divide"),
        ("input 10; conv 8 3x3", "needs an HxWxC input"),
        ("input 10; lstm 8 cell=weird", "cell must be"),
        ("input axb", "expected sizes"),
        ("", "no layers"),
    ],
)
def test_bad_descriptions(spec: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        count_architecture(spec)
