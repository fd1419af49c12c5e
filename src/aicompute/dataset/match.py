"""Pair our records with the rows of Epoch AI's database, one to one, never two different models.

Names are compared as tokens: case, punctuation and spacing aside, with the sizes in a name
("13B", "13 billion", "1.5B") read as numbers and the parenthesised part ("(davinci)", "(FFHQ
1024x1024)") kept apart as a qualifier. Hard rules, whatever else agrees:

- different version numbers never match ("StyleGAN" / "StyleGAN2", "Grok-1" / "Grok 3");
- different sizes never match ("Llama 2 13B" / "Llama 2 70B"), in the name or in the parameter
  counts (both known and more than :data:`PARAMETER_FACTOR` apart);
- a name that merely contains another is not the same model ("Faster R-CNN (VGG16)" / "VGG16",
  "OpenAI Five" / "OpenAI Five Rerun") unless the rest is noise ("model", the developer's
  name, a size word such as "Large" missing on one side);
- the two must be published within ``max_years``.

Admissible pairs are scored (name, date proximity, organisation, parameters) and taken best
first; a record with two equally good candidates (within :data:`TIE`) is reported as
ambiguous, not paired. Known renames are data: :data:`ALIASES`.

>>> from aicompute.dataset.record import Record
>>> ours = [Record(name="StyleGAN2", date="2019-12-03", flop=3e19)]
>>> theirs = [Record(name="StyleGAN", date="2018-12-12", flop=4e16)]
>>> match_epoch(ours, theirs).matches
[]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aicompute.dataset.record import Record

__all__ = [
    "ALIASES",
    "PARAMETER_FACTOR",
    "TIE",
    "Ambiguity",
    "Comparison",
    "Match",
    "compare",
    "match_epoch",
    "name_conflict",
    "normalize_name",
]

PARAMETER_FACTOR = 1.5
"""Two parameter counts further apart than this (both known) are two different models."""

TIE = 0.02
"""Candidates whose scores are this close are equally good: the record is ambiguous."""

ALIASES: dict[str, tuple[str, str]] = {
    # our record id: (Epoch's model name, why they are the same model)
    "attention-is-all-you-need": (
        "Transformer",
        "the paper's title; Epoch names the model (Google, June 2017)",
    ),
    "resnets": (
        "ResNet-152 (ImageNet)",
        "the seed's ResNets point is the 152-layer ImageNet model (Microsoft, December 2015)",
    ),
    "neural-machine-translation": (
        "GNMT",
        "Google's Neural Machine Translation system, September 2016",
    ),
    "neural-architecture-search": (
        "NASv3 (CIFAR-10)",
        "the seed's Neural Architecture Search point is the CIFAR-10 search of Zoph & Le",
    ),
    "td-gammon-1-0-80-hidden-units": (
        "TD-Gammon",
        "Epoch's TD-Gammon (IBM, May 1992, 25,000 parameters) is version 1.0, 80 hidden units",
    ),
    "learning-to-align-and-translate": (
        "RNNsearch-50*",
        "RNNsearch-50* is the model of Bahdanau et al., 'learning to jointly align and translate'",
    ),
    "visualizing-and-understanding-conv-nets": (
        "Visualizing CNNs",
        "Zeiler & Fergus, 'Visualizing and Understanding Convolutional Networks' (NYU, 2013)",
    ),
    "ti7-dota-1v1": ("OpenAI TI7 DOTA 1v1", "OpenAI's 1v1 Dota bot shown at TI7, August 2017"),
    "seq2seq": ("Seq2Seq LSTM", "Sutskever et al.'s sequence-to-sequence LSTM (Google, 2014)"),
    "variational-auto-encoders": (
        "Image generation",
        "Epoch's row for Kingma & Welling's VAE paper (University of Amsterdam, December 2013)",
    ),
    "adam-optimizer": (
        "ADAM (CIFAR-10)",
        "Epoch's row for Kingma & Ba's Adam paper (December 2014) is its CIFAR-10 experiment",
    ),
    "samuel-checkers-player-1959-generalization-learning": (
        "Samuel Neural Checkers",
        "Samuel's 1959 checkers player (IBM, July 1959, 16 parameters on both sides)",
    ),
    "ase-ace-pole-balancing-barto-sutton-anderson-1983": (
        "ASE+ACE",
        "Barto, Sutton & Anderson's ASE/ACE pole balancer (UMass Amherst, 1983)",
    ),
    "handwritten-digit-network-lecun-et-al-nips-1989": (
        "Handwritten digit recognition network",
        "LeCun et al., NIPS 1989 (AT&T, November 1989, 2,578 parameters on both sides)",
    ),
    "zip-code-cnn-lecun-et-al-neural-computation-1989": (
        "Zip CNN",
        "LeCun et al., Neural Computation 1989 (AT&T, 9,760 parameters on both sides)",
    ),
    "neural-predictive-text-compressor-schmidhuber-heil": (
        "Predictive Coding NN",
        "Schmidhuber & Heil's predictive text compressor (TU Munich, December 1994)",
    ),
    "products-of-experts-digit-classifier-mayraz-hinton-2000": (
        "PoE MNIST",
        "Mayraz & Hinton's products-of-experts MNIST classifier (UCL, NIPS 2000)",
    ),
    "neural-probabilistic-language-model-ap-news-bengio-et-al-2003": (
        "NPLM (AP News)",
        "Bengio et al. 2003's neural probabilistic language model on AP News",
    ),
    "hierarchical-probabilistic-nnlm-morin-bengio-2005": (
        "Hierarchical LM",
        "Morin & Bengio's hierarchical probabilistic language model (January 2005)",
    ),
    "stupid-backoff-5-gram-lm-on-1-8t-web-tokens-brants-et-al-2007": (
        "SB-LM",
        "Brants et al.'s Stupid Backoff LM (Google, June 2007)",
    ),
    "gpu-deep-belief-net-100m-parameters-raina-madhavan-ng-2009": (
        "GPU DBNs",
        "Raina, Madhavan & Ng's GPU deep belief nets (Stanford, June 2009, 100M parameters)",
    ),
    "two-stage-conv-net-on-mnist-jarrett-et-al-2009": (
        "Two Stage Feature Extraction (MNIST)",
        "Jarrett et al. 2009, 'What is the best multi-stage architecture' (NYU), on MNIST",
    ),
    "rnn-language-model-rnn-400-10-mikolov-et-al-2010": (
        "RNN LM",
        "Mikolov et al.'s RNN language model (Interspeech, September 2010)",
    ),
    "very-deep-autoencoder-for-image-retrieval-krizhevsky-hinton-2011": (
        "Deep Autoencoders",
        "Krizhevsky & Hinton 2011, deep autoencoders for image retrieval (Toronto)",
    ),
    "cnn-for-gtsrb-traffic-signs-ciresan-et-al-ijcnn-2011": (
        "CNN committee (traffic sign)",
        "Ciresan et al.'s GTSRB committee (IDSIA, 2011, 1.39M parameters on both sides)",
    ),
    "distbelief-speech-acoustic-model-downpour-sgd": (
        "DistBelief Speech",
        "Dean et al.'s DistBelief speech model (Google, NIPS 2012)",
    ),
    "mesh-tensorflow-transformer-lm-4-9b": (
        "Mesh-TensorFlow Transformer 4.9B (language)",
        "the 4.9B language model of the Mesh-TensorFlow paper (Google Brain, November 2018)",
    ),
    "switch-c-1-6t": ("Switch", "Epoch's Switch row is Switch-C (1.571T parameters, January 2021)"),
    "wav2vec-2-0-large-lv-60k": (
        "wave2vec 2.0 LARGE",
        "Epoch spells it 'wave2vec'; wav2vec 2.0 LARGE (Facebook, 317M parameters on both sides)",
    ),
    "alphafold-multimer-v1": (
        "AlphaFold-Multimer",
        "Epoch's AlphaFold-Multimer is the October 2021 preprint, version 1",
    ),
    "eva-vit-g-1b": ("EVA-01", "EVA's first version (BAAI, November 2022, 1.0B parameters)"),
    "coatnet-7": ("CoAtNet", "Epoch's CoAtNet row has CoAtNet-7's 2.44B parameters (June 2021)"),
    "mae-vit-h-14": (
        "Masked Autoencoders ViT-H",
        "MAE's ViT-H (Facebook AI Research, November 2021, 632M parameters on both sides)",
    ),
}
"""Known renames, as data: our record id → (Epoch's name, the reason). An alias pairs the two
whatever the name rules say; every entry was checked by hand (date, developer, parameters)."""

DIFFERENT: dict[tuple[str, str], str] = {
    ("siglip-b-16-from-scratch", "SigLIP 400M"): "ours is the B/16 model; Epoch's is So400m",
}
"""Pairs the rules would accept that are two different models: (our id, Epoch's name) →
why."""

_UNITS = {"t": 1e12, "trillion": 1e12, "b": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6}
_SIZE = re.compile(
    r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*(trillion|billion|million|[tbm])(?![a-z0-9])"
    r"(?![\s-]*(?:steps?|tokens?|words?|images?|examples?|hours?|web|frames?|samples?)\b)"
)
_NOISE = frozenset({"the", "a", "an", "of", "model", "models", "v", "version", "and", "original"})
_QUALIFIER_NOISE = frozenset({"base", "backbone", "config", "final", "paper", "preview", "run"})
SIZE_WORDS = frozenset(
    {"tiny", "mini", "small", "base", "medium", "large", "xl", "xxl", "xlarge", "xxlarge",
     "h", "g", "big", "ultra", "pro", "max", "nano", "flash", "lite"}
)  # fmt: skip
_CHAR_MAP = str.maketrans({"·": " ", "×": "x", "Σ": "sigma", "σ": "sigma", "α": "alpha"})
_ORG_GENERIC = frozenset(
    {"university", "universite", "universitat", "universita", "of", "de", "di", "the", "research",
     "institute", "institut", "laboratory", "laboratories", "labs", "lab", "ai", "inc", "ltd",
     "co", "corporation", "corp", "college", "school", "center", "centre", "national", "science",
     "sciences", "technology", "technological", "and", "for", "team", "group", "department",
     "academy", "at", "in", "la", "le", "du", "des", "der", "fur", "et", "al", "others",
     "artificial", "intelligence", "computer", "computing", "uc", "state", "originally",
     "learning", "algorithms", "s", "systems", "international", "advanced", "engineering"}
)  # fmt: skip
_ORG_FAMILIES = {
    "google": "google", "deepmind": "google", "brain": "google", "alphabet": "google",
    "facebook": "meta", "meta": "meta", "fair": "meta", "microsoft": "microsoft",
    "msra": "microsoft", "cmu": "cmu", "carnegie": "cmu", "mellon": "cmu",
    "openai": "openai", "nvidia": "nvidia", "mit": "mit", "massachusetts": "mit",
    "montreal": "montreal", "mila": "montreal", "att": "att", "at&t": "att", "bell": "att",
}  # fmt: skip


def normalize_name(name: str) -> str:
    """A loose key for model names: lowercase letters and digits only.

    >>> normalize_name("GPT-3 175B (davinci)"), normalize_name("AlphaGo Zero")
    ('gpt3175bdavinci', 'alphagozero')
    """
    return re.sub(r"[^a-z0-9]", "", name.lower())


_SYNONYMS = {"huge": "h", "giant": "g"}  # "ViT-Huge/14" is "ViT-H/14"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_CHAR_MAP))
    text = text.encode("ascii", "ignore").decode().lower().replace("+", " plus ")
    return re.sub(r"\b(x+)[- ]large\b", r"\1large", text)  # "X-Large" is "XLarge"


@dataclass(frozen=True)
class _Part:
    """One spelling of a name: its core words and numbers, sizes, size words, qualifier."""

    words: frozenset[str]
    numbers: frozenset[str]
    sizes: tuple[float, ...]
    size_words: frozenset[str]
    qualifier: frozenset[str]
    compact: str  # core and qualifier tokens joined: "alphagozero" for "AlphaGo Zero"
    core_compact: str


def _tokens(text: str) -> tuple[list[str], list[float]]:
    sizes = [float(n) * _UNITS[u] for n, u in _SIZE.findall(text)]
    text = _SIZE.sub(lambda m: f" {float(m[1]) * _UNITS[m[2]]:.3g}size ", text)
    text = re.sub(r"(?<=[a-z])v(?=\d)", " v", text)  # "YOLOv3" → "yolo v 3"
    tokens = re.findall(r"\d+(?:\.\d+)*(?:e\+?\d+size)?|[a-z]+", text)
    tokens = [_SYNONYMS.get(t, re.sub(r"(\d)\.0+$", r"\1", t)) for t in tokens]  # "3.0" → "3"
    return [t for t in tokens if t not in _NOISE], sizes


def _part(text: str) -> _Part:
    qualifiers = re.findall(r"\(([^()]*)\)", text)
    core = re.sub(r"\([^()]*\)", " ", text)
    core_tokens, sizes = _tokens(core)
    qual_tokens: list[str] = []
    for q in qualifiers:
        tokens, more = _tokens(q)
        qual_tokens += tokens
        sizes += more
    plain = [t for t in core_tokens if not t.endswith("size")]
    words = {t for t in plain if not t[0].isdigit()}
    return _Part(
        words=frozenset(words - SIZE_WORDS),
        numbers=frozenset(t for t in plain if t[0].isdigit()),
        sizes=tuple(sorted(sizes)),
        size_words=frozenset(words & SIZE_WORDS),
        qualifier=frozenset(t for t in qual_tokens if t not in _QUALIFIER_NOISE),
        compact="".join(core_tokens + qual_tokens),
        core_compact="".join(core_tokens),
    )


def _parts(name: str) -> list[_Part]:
    """The spellings of a name: Epoch writes aliases as "GoogLeNet / InceptionV1"."""
    text = _ascii(name)
    return [_part(alt) for alt in re.split(r"\s+/\s+", text) if alt.strip()] or [_part(text)]


def org_families(organization: str) -> frozenset[str]:
    """The distinctive words of an organisation, with families folded: DeepMind, Google Brain
    and Google Research are all "google"; Facebook AI Research and Meta AI are "meta".

    >>> sorted(org_families("Google DeepMind")), sorted(org_families("Facebook AI Research"))
    (['google'], ['meta'])
    """
    text = re.sub(r"\([^()]*\)", " ", _ascii(organization))
    found = set()
    for word in re.findall(r"[a-z0-9&]+", text):
        if word in _ORG_FAMILIES:
            found.add(_ORG_FAMILIES[word])
        elif word not in _ORG_GENERIC and len(word) > 1:
            found.add(word)
    return frozenset(found)


def _close(a: float, b: float, factor: float) -> bool:
    return max(a, b) / min(a, b) <= factor


def name_conflict(a: str, b: str, *, org_words: frozenset[str] = frozenset()) -> str | None:
    """Why two names cannot be the same model, or None when they can.

    >>> name_conflict("StyleGAN", "StyleGAN2")
    'different version numbers (none / 2)'
    >>> name_conflict("Llama 2 13B", "Llama 2-70B")
    'different sizes (13B / 70B)'
    >>> name_conflict("Faster R-CNN (VGG16)", "VGG16")
    'different names (cnn, faster, r / vgg)'
    >>> name_conflict("GPT-3 175B", "GPT-3 175B (davinci)") is None
    True
    """
    best = _name_score(_parts(a), _parts(b), org_words)
    return best[1] if best[0] is None else None


def _name_score(
    ours: Sequence[_Part], theirs: Sequence[_Part], org_words: frozenset[str]
) -> tuple[float | None, str]:
    """(score, reason) of the best pairing of two names' spellings; score None: a conflict."""
    best: tuple[float | None, str] = (None, "no spelling")
    for a in ours:
        for b in theirs:
            score, reason = _compare_parts(a, b, org_words)
            if score is not None and (best[0] is None or score > best[0]):
                best = (score, reason)
            elif best[0] is None and score is None:
                best = (None, reason)
    return best


def _fmt_size(size: float) -> str:
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if size >= scale:
            return f"{size / scale:g}{unit}"
    return f"{size:g}"


def _compare_parts(a: _Part, b: _Part, org_words: frozenset[str]) -> tuple[float | None, str]:
    if a.sizes and b.sizes and not _close(max(a.sizes), max(b.sizes), 1.1):
        return None, f"different sizes ({_fmt_size(max(a.sizes))} / {_fmt_size(max(b.sizes))})"
    if a.compact == b.compact:
        return 1.0, "same name"
    if a.core_compact != b.core_compact:
        only_a = a.words - b.words - org_words - b.qualifier
        only_b = b.words - a.words - org_words - a.qualifier
        if only_a or only_b:
            shown = [", ".join(sorted(w)) or "-" for w in (a.words - b.words, b.words - a.words)]
            return None, f"different names ({shown[0]} / {shown[1]})"
        if a.numbers != b.numbers:
            shown = [", ".join(sorted(n)) or "none" for n in (a.numbers, b.numbers)]
            return None, f"different version numbers ({shown[0]} / {shown[1]})"
    if (
        a.size_words
        and b.size_words
        and not (a.size_words <= b.size_words or b.size_words <= a.size_words)
    ):
        shown = [", ".join(sorted(w)) for w in (a.size_words, b.size_words)]
        return None, f"different variants ({shown[0]} / {shown[1]})"
    for x, y in ((a, b), (b, a)):
        if x.sizes and not x.size_words and y.size_words and not y.sizes:
            words = ", ".join(sorted(y.size_words))
            return None, f"a size and a variant ({_fmt_size(max(x.sizes))} / {words})"
    score, notes = 0.9, []
    if a.core_compact != b.core_compact:
        if (a.words ^ b.words) & org_words:
            score -= 0.05
            notes.append("developer's name in one name")
        if (a.words ^ b.words) - org_words:
            score -= 0.05
            notes.append("a qualifier word in the name")
    if a.size_words != b.size_words:
        score -= 0.1
        notes.append(f"variant '{', '.join(sorted(a.size_words ^ b.size_words))}' on one side")
    if a.qualifier != b.qualifier:
        if a.qualifier and b.qualifier and not a.qualifier & b.qualifier:
            score -= 0.05
            notes.append("different qualifiers")
        else:
            score -= 0.02
            notes.append("qualifier on one side")
    return score, "same name" + (f" ({'; '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class Match:
    """A model present in both databases, and how far apart the two values are."""

    name: str
    epoch_name: str
    date: str
    ours: float
    epoch: float
    our_reasoning: str
    epoch_reasoning: str
    score: float = 1.0
    reason: str = ""
    epoch_date: str = ""

    @property
    def ratio(self) -> float:
        """Ours divided by Epoch's."""
        return self.ours / self.epoch

    @property
    def log_gap(self) -> float:
        return abs(math.log10(self.ratio))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "epoch_name": self.epoch_name,
            "date": self.date,
            "epoch_date": self.epoch_date,
            "flop": self.ours,
            "epoch_flop": self.epoch,
            "ratio": self.ratio,
            "score": round(self.score, 3),
            "reason": self.reason,
            "our_reasoning": self.our_reasoning,
            "epoch_reasoning": self.epoch_reasoning,
        }


@dataclass(frozen=True)
class Ambiguity:
    """Records left unpaired because two candidates were equally good."""

    ours: tuple[str, ...]
    epoch: tuple[str, ...]
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "ours": list(self.ours),
            "epoch": list(self.epoch),
            "score": round(self.score, 3),
            "reason": self.reason,
        }


@dataclass
class Comparison:
    """Confident pairs (largest disagreement first), ambiguous ones, and what found no pair."""

    matches: list[Match] = field(default_factory=list)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    unmatched_ours: list[dict[str, Any]] = field(default_factory=list)
    unmatched_epoch: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": len(self.matches),
            "matches": [m.to_dict() for m in self.matches],
            "ambiguous": [a.to_dict() for a in self.ambiguous],
            "unmatched_ours": self.unmatched_ours,
            "unmatched_epoch": {
                "count": len(self.unmatched_epoch),
                "names": self.unmatched_epoch,
            },
        }


def _reasoning(r: Record) -> str:
    parts = [r.value_source] if r.value_source else []
    parts += [f"{e.method}: {e.inputs}" for e in r.estimates]
    if r.notes:
        parts.append(r.notes)
    return "; ".join(parts)


class _Side:
    """A record with what matching needs, computed once."""

    def __init__(self, record: Record) -> None:
        self.record = record

    @cached_property
    def parts(self) -> list[_Part]:
        return _parts(self.record.name)

    @cached_property
    def orgs(self) -> frozenset[str]:
        return org_families(self.record.organization)

    @cached_property
    def years(self) -> set[int]:
        """Years named in the qualifier: "Perceptron (1960)"."""
        return {
            int(t) for p in self.parts for t in p.qualifier if re.fullmatch(r"19\d\d|20\d\d", t)
        }

    @cached_property
    def keys(self) -> set[str]:
        """Index keys: the core words and the compact core of each spelling."""
        return {k for p in self.parts for k in (*p.words, p.core_compact)}


def _score(o: _Side, e: _Side, max_years: float) -> tuple[float | None, str]:
    gap = abs(o.record.year - e.record.year)
    if gap > max_years:
        return None, f"published {gap:.1f} years apart"
    for x, y in ((o, e), (e, o)):
        if x.years and not any(abs(y.record.year - (n + 0.5)) <= 0.75 for n in x.years):
            return None, f"{x.record.name!r} names the year {min(x.years)}"
    op, ep = o.record.parameters, e.record.parameters
    if op and ep and not _close(op, ep, PARAMETER_FACTOR):
        return None, f"parameters {op:.3g} / {ep:.3g}"
    score, reason = _name_score(o.parts, e.parts, o.orgs | e.orgs)
    if score is None:
        return None, reason
    notes = [reason]
    score += 0.1 * (1 - gap / max_years) if max_years > 0 else 0.1
    if o.orgs and e.orgs:
        if o.orgs & e.orgs:
            score += 0.05
            notes.append("same developer")
        else:
            score -= 0.1
            notes.append("different developers")
    if op and ep:
        score += 0.05 if _close(op, ep, 1.1) else 0.0
        notes.append("parameters agree")
    notes.append(f"{gap * 12:.0f} months apart" if gap >= 1 / 12 else "same month")
    return score, "; ".join(notes)


def _alias_target(r: Record, aliases: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    keys = {normalize_name(k): v for k, v in aliases.items()}
    return keys.get(normalize_name(r.id)) or keys.get(normalize_name(r.name))


def match_epoch(
    ours: Iterable[Record],
    epoch: Iterable[Record],
    *,
    max_years: float = 1.0,
    aliases: dict[str, tuple[str, str]] | None = None,
    different: dict[tuple[str, str], str] | None = None,
) -> Comparison:
    """Pair each of our records that has a value with at most one Epoch row that has one, and
    each Epoch row with at most one record: best score first; a tie is reported as ambiguous."""
    aliases = ALIASES if aliases is None else aliases
    apart = {
        (normalize_name(i), normalize_name(n)): why
        for (i, n), why in (DIFFERENT if different is None else different).items()
    }
    mine = [_Side(r) for r in ours if r.flop is not None]
    theirs = [_Side(r) for r in epoch if r.flop is not None]
    index: dict[str, list[int]] = {}
    for j, e in enumerate(theirs):
        for key in e.keys:
            index.setdefault(key, []).append(j)
    by_name = {e.record.name.strip().lower(): j for j, e in enumerate(theirs)}

    pairs: list[tuple[float, int, int, str]] = []
    rejected: dict[int, str] = {}
    for i, o in enumerate(mine):
        alias = _alias_target(o.record, aliases)
        if alias is not None and alias[0].strip().lower() in by_name:
            pairs.append((2.0, i, by_name[alias[0].strip().lower()], f"alias: {alias[1]}"))
            continue
        candidates = sorted({j for key in o.keys for j in index.get(key, [])})
        for j in candidates:
            why = apart.get((normalize_name(o.record.id), normalize_name(theirs[j].record.name)))
            score, reason = (None, why) if why else _score(o, theirs[j], max_years)
            if score is None:
                if any(p.core_compact == q.core_compact for p in o.parts for q in theirs[j].parts):
                    rejected.setdefault(i, f"{theirs[j].record.name!r}: {reason}")
                continue
            pairs.append((score, i, j, reason))
    pairs.sort(key=lambda p: (-p[0], mine[p[1]].record.name, theirs[p[2]].record.name))
    by_ours: dict[int, list[tuple[float, int]]] = {}
    by_theirs: dict[int, list[tuple[float, int]]] = {}
    for score, i, j, _ in pairs:
        by_ours.setdefault(i, []).append((score, j))
        by_theirs.setdefault(j, []).append((score, i))

    result = Comparison()
    used_ours: set[int] = set()
    used_theirs: set[int] = set()
    involved_theirs: set[int] = set()
    for score, i, j, reason in pairs:
        if i in used_ours or j in used_theirs:
            continue
        rival_rows = [
            k for s, k in by_ours[i] if k != j and k not in used_theirs and s >= score - TIE
        ]
        rival_ours = [
            k for s, k in by_theirs[j] if k != i and k not in used_ours and s >= score - TIE
        ]
        if score < 2.0 and (rival_rows or rival_ours):
            if rival_rows:  # one of ours, two Epoch rows: leave ours unpaired
                used_ours.add(i)
                rows = (j, *rival_rows)
                involved_theirs.update(rows)
                result.ambiguous.append(
                    Ambiguity(
                        (mine[i].record.name,),
                        tuple(theirs[k].record.name for k in rows),
                        score,
                        f"{len(rows)} Epoch rows equally good ({reason})",
                    )
                )
            else:  # two of ours for one Epoch row: leave the row unpaired
                used_theirs.add(j)
                names = (i, *rival_ours)
                used_ours.update(names)
                result.ambiguous.append(
                    Ambiguity(
                        tuple(mine[k].record.name for k in names),
                        (theirs[j].record.name,),
                        score,
                        f"{len(names)} of our records equally good ({reason})",
                    )
                )
            continue
        used_ours.add(i)
        used_theirs.add(j)
        mr, er = mine[i].record, theirs[j].record
        assert mr.flop is not None and er.flop is not None  # only records with a value
        result.matches.append(
            Match(
                mr.name,
                er.name,
                mr.date,
                mr.flop,
                er.flop,
                _reasoning(mr),
                er.notes,
                score=score,
                reason=reason,
                epoch_date=er.date,
            )
        )
    ambiguous_ours = {n for a in result.ambiguous for n in a.ours}
    for i, o in enumerate(mine):
        if i not in used_ours and o.record.name not in ambiguous_ours:
            entry: dict[str, Any] = {"name": o.record.name, "date": o.record.date}
            entry["flop"] = o.record.flop
            if i in rejected:
                entry["note"] = f"not {rejected[i]}"
            result.unmatched_ours.append(entry)
    result.unmatched_epoch = [
        e.record.name
        for j, e in enumerate(theirs)
        if j not in used_theirs and j not in involved_theirs
    ]
    result.matches.sort(key=lambda m: -m.log_gap)
    return result


def compare(ours: list[Record], epoch: list[Record], *, max_years: float = 1.0) -> list[Match]:
    """The confident pairs of :func:`match_epoch`, largest disagreement first."""
    return match_epoch(ours, epoch, max_years=max_years).matches
