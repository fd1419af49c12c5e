"""Threshold assessment: a model's training compute over its whole development, as a
distribution, against the thresholds of law and guidance (EU AI Act 10^23 and 10^25 FLOP,
California SB 53 10^26), with planned-run crossing dates and the downstream one-third rule."""

from aicompute.threshold.assess import DEFAULT_SAMPLES, Assessment, assess
from aicompute.threshold.legal import DISCLAIMER, Threshold, default_thresholds, rules, threshold
from aicompute.threshold.stages import (
    STAGE_KINDS,
    Reported,
    Stage,
    read_stages,
    record_stage,
    stage,
    stages_from,
)

__all__ = [
    "DEFAULT_SAMPLES",
    "DISCLAIMER",
    "STAGE_KINDS",
    "Assessment",
    "Reported",
    "Stage",
    "Threshold",
    "assess",
    "default_thresholds",
    "read_stages",
    "record_stage",
    "rules",
    "stage",
    "stages_from",
    "threshold",
]
