"""Any other Hugging Face config, built by ``transformers`` on the meta device.

When a config's ``model_type`` has no builder of its own in this package and ``transformers``
is installed, the model is built from the config by ``transformers`` itself, under
``torch.device("meta")``, and counted as any other module. The checks here run without torch
(or ``transformers``): whether ``transformers`` is installed, whether it knows the
``model_type`` (read from its ``auto_mappings.py``, not imported), and the sizes in the file.

What aicompute changes in the model it builds, so that it runs on the meta device and every
multiply-add is counted:

- **attention** goes through a function of its own (``attn_implementation="aicompute"``):
  scaled-dot-product attention over the full score matrix, causal where the module is, with
  no mask built. Hugging Face's mask code reads tensor values (``.item()``) that meta tensors
  do not have; the masks change which scores are kept, not what the kernels execute. Logit
  soft-capping (Gemma 2) is elementwise work and is left out;
- **mixture-of-experts** layers run ``experts_implementation="batched_mm"``: each token's k
  experts as batched matmuls, so the count does not depend on the routing (``grouped_mm``
  needs bf16 inputs on the CPU and meta devices);
- the model is in training mode, with gradients on, even inside ``torch.inference_mode``.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from aicompute.constants import MAX_COUNT_SIZE
from aicompute.counting.specs import Preset
from aicompute.errors import InputError

__all__ = [
    "ATTENTION",
    "build",
    "fallback",
    "inactive_params",
    "input_kind",
    "notes",
    "run",
    "transformers_available",
    "transformers_model_types",
]

ATTENTION = "aicompute"
"""The name aicompute's attention function is registered under in ``transformers``."""

_HEADS = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration", "ForImageClassification")
"""The ``architectures`` whose class is built (with its head); any other builds the base model
(``AutoModel``), as the native builders count BERT and RoBERTa without their pretraining
heads."""

_DROPPED = (
    "model_type",
    "transformers_version",
    "_name_or_path",
    "auto_map",
    "torch_dtype",
    "dtype",
    "quantization_config",
)
"""Keys of a config.json that are not the model's shape: quantization and dtype change no
multiply-add, and remote code (``auto_map``) is never run."""

_EXPERT_KEYS = ("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts")
_TOP_K_KEYS = ("num_experts_per_tok", "top_k", "moe_topk", "num_selected_experts")


def transformers_available() -> bool:
    """Whether ``transformers`` can be imported (found on the path; nothing imported)."""
    try:
        return importlib.util.find_spec("transformers") is not None
    except (ImportError, ValueError):  # blocked in sys.modules, or half-imported
        return False


@lru_cache(maxsize=1)
def transformers_model_types() -> frozenset[str] | None:
    """The ``model_type`` values the installed ``transformers`` knows, read from its
    ``models/auto/auto_mappings.py`` and ``configuration_auto.py`` without importing them
    (importing transformers loads torch); None when they cannot be read."""
    try:
        spec = importlib.util.find_spec("transformers")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models" / "auto"
    types: set[str] = set()
    for name in ("auto_mappings.py", "configuration_auto.py"):
        try:
            tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            types.update(_mapping_keys(node))
    return frozenset(types) or None


def _mapping_keys(node: ast.AST) -> set[str]:
    """The keys of a ``CONFIG_MAPPING_NAMES = OrderedDict([...])`` assignment or of a
    ``CONFIG_MAPPING_NAMES.update({...})`` call."""
    value: ast.AST | None = None
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "CONFIG_MAPPING_NAMES" for t in node.targets
    ):
        value = node.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "update"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "CONFIG_MAPPING_NAMES"
    ):
        value = node
    if not isinstance(value, ast.Call) or not value.args:
        return set()
    try:
        literal = ast.literal_eval(value.args[0])
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return set()
    pairs = literal.items() if isinstance(literal, dict) else literal
    try:
        return {k for k, _ in pairs if isinstance(k, str)}
    except (TypeError, ValueError):
        return set()


def _check_sizes(cfg: dict[str, Any], path: Path, depth: int = 0) -> None:
    """Bound the sizes of a config built by transformers as the native builders bound theirs:
    layer and expert counts by their limits, any other size by ``MAX_COUNT_SIZE``."""
    from aicompute.counting.hf import CONFIG_LIMITS

    for key, value in cfg.items():
        if isinstance(value, dict) and depth < 3:
            _check_sizes(value, path, depth + 1)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        sized = (
            key.endswith(("_size", "_dim", "_layers", "_heads", "_experts"))
            or key.startswith(("num_", "n_", "d_"))
            or key in CONFIG_LIMITS
        )
        limit = CONFIG_LIMITS.get(key, MAX_COUNT_SIZE)
        if sized and value > limit:
            raise InputError("model", f"{path}: {key} = {value:,} is over the limit of {limit:,}")


def _default_seq_len(cfg: dict[str, Any]) -> int:
    """4,096 tokens, or fewer when the config says the model holds fewer."""
    for key in ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"):
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return min(value, 4096)
    return 4096


def _image_size(cfg: dict[str, Any]) -> int:
    value = cfg.get("image_size")
    if isinstance(value, list) and value and isinstance(value[0], int):
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_COUNT_SIZE:
        return value
    return 224


def fallback(cfg: dict[str, Any], path: Path, mtype: str, name: str) -> Preset:
    """The preset of a config no native builder reads: built by transformers, or refused
    (before torch loads) when transformers is absent or does not know the type."""
    from aicompute.counting.hf import HF_TYPES

    shown = repr(mtype[:60]) if mtype else "(no model_type)"
    if not mtype:
        raise InputError("model", f"{path}: no model_type, so no architecture to build")
    if not transformers_available():
        raise InputError(
            "model",
            f"{path}: unknown architecture {shown}; aicompute builds {', '.join(HF_TYPES)}; "
            "install transformers to count any other config",
        )
    known = transformers_model_types()
    if known is not None and mtype not in known:
        raise InputError(
            "model",
            f"{path}: unknown architecture {shown}: neither aicompute nor the installed "
            "transformers builds it (or pass package.module:factory)",
        )
    _check_sizes(cfg, path)
    return Preset(
        name,
        "auto",
        lambda: build(cfg, mtype),
        _default_seq_len(cfg),
        _image_size(cfg),
        None,
        "",
        builder="transformers",
        run=run,
    )


# -- with torch and transformers ---------------------------------------------------------------


def _attention(
    module: Any, query: Any, key: Any, value: Any, attention_mask: Any, **kwargs: Any
) -> Any:
    """Scaled-dot-product attention without a mask (causal as the module is): what the
    kernels execute, on meta tensors."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    kwargs.pop("softcap", None)  # elementwise (tanh) work, which SDPA does not take
    return sdpa_attention_forward(module, query, key, value, None, **kwargs)


def _register_attention() -> None:
    from transformers import AttentionInterface

    AttentionInterface.register(ATTENTION, _attention)


def _model_class(config: Any, architectures: Any) -> Any:
    """The class to build: the config's ``architectures`` entry when it is a causal-LM,
    seq2seq or image-classification class of transformers, else the causal-LM class of the
    config type when there is one (a decoder counted with its output layer, as the native
    decoders are), else the base model."""
    import transformers
    from transformers import AutoModel, AutoModelForCausalLM

    for arch in architectures if isinstance(architectures, list) else []:
        if isinstance(arch, str) and arch.isidentifier() and arch.endswith(_HEADS):
            try:
                cls = getattr(transformers, arch, None)
            except Exception:  # an optional dependency of that model is missing
                cls = None
            config_class = getattr(cls, "config_class", None)
            if isinstance(config_class, type) and isinstance(config, config_class):
                return cls
    mapping = AutoModelForCausalLM._model_mapping
    if not getattr(config, "is_encoder_decoder", False) and type(config) in mapping:
        return mapping[type(config)]
    try:
        return AutoModel._model_mapping[type(config)]
    except KeyError:
        raise InputError(
            "model", f"transformers has no model class for {type(config).__name__}"
        ) from None


def build(cfg: dict[str, Any], mtype: str) -> Any:
    """The transformers model of a config, on the current (meta) device."""
    import torch
    from transformers import AutoConfig

    _register_attention()
    data = {k: v for k, v in cfg.items() if k not in _DROPPED}
    try:
        config = AutoConfig.for_model(mtype, **data)
    except Exception as error:  # transformers validates the config in its own ways
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(
            "model", f"transformers cannot read this {mtype} config: {first[:200]}"
        ) from None
    cls = _model_class(config, cfg.get("architectures"))
    kwargs = {"dtype": torch.float32, "experts_implementation": "batched_mm"}
    try:
        model = cls._from_config(config, attn_implementation=ATTENTION, **kwargs)
    except ValueError as error:  # a model that takes no custom attention keeps its own
        if "attn" not in str(error) and "attention" not in str(error):
            raise
        model = cls._from_config(config, **kwargs)
    model.train()
    return model


def input_kind(module: Any) -> str:
    """``text`` (token ids) or ``image`` (pixel values): what the model reads first."""
    name = getattr(module, "main_input_name", "input_ids")
    if name == "input_ids":
        return "text"
    if name == "pixel_values":
        return "image"
    raise InputError(
        "model",
        f"{type(module).__name__} reads {name}; aicompute feeds token ids or images to a "
        "model built from a config (count it as package.module:factory instead)",
    )


def run(module: Any, inputs: tuple) -> Any:
    """Call a transformers model on the inputs aicompute made (token ids or images), with no
    cache, a decoder input as long as the encoder's for an encoder-decoder, and a clear error
    when the model reads tensor values that meta tensors do not have."""
    x = inputs[0]
    config = getattr(module, "config", None)
    kwargs: dict[str, Any] = {}
    if x.is_floating_point():
        kwargs[getattr(module, "main_input_name", "pixel_values")] = x
    else:
        kwargs["input_ids"] = x
        if getattr(config, "is_encoder_decoder", False):
            kwargs["decoder_input_ids"] = x
    parameters: Mapping[str, inspect.Parameter]
    try:
        parameters = inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        parameters = {}
    if "use_cache" in parameters:
        kwargs["use_cache"] = False
    try:
        return module(**kwargs)
    except (RuntimeError, NotImplementedError) as error:
        if "meta" not in str(error):
            raise
        raise InputError(
            "model",
            f"transformers' {type(module).__name__} reads tensor values (e.g. Tensor.item()), "
            "which meta tensors do not have; build it on the CPU at a small size and pass the "
            "module to aicompute.count()",
        ) from None


def inactive_params(module: Any) -> int:
    """Parameters of the experts a token does not use: in each stacked experts tensor
    (first dimension E, the config's expert count), E - k of the E experts."""
    config = getattr(module, "config", None)
    configs = [config, getattr(config, "text_config", None)]
    experts = top_k = 0
    for c in configs:
        for key in _EXPERT_KEYS:
            experts = experts or _positive(getattr(c, key, None))
        for key in _TOP_K_KEYS:
            top_k = top_k or _positive(getattr(c, key, None))
    if not experts or not top_k or top_k >= experts:
        return 0
    return sum(
        (experts - top_k) * p[0].numel()
        for p in module.parameters()
        if p.dim() == 3 and p.shape[0] == experts
    )


def _positive(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def notes(module: Any) -> list[str]:
    """What the result of a model built by transformers says about how it ran."""
    import transformers

    out = [
        f"built by transformers {transformers.__version__} on the meta device; attention as "
        "SDPA over the full score matrix, no mask built"
    ]
    if inactive_params(module):
        out.append("experts as batched matmuls: each token through its k experts")
    return out
