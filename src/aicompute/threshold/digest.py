"""A record of an assessment that anyone can re-run: canonical JSON and its SHA-256 digest.

The digest covers the inputs (as :func:`~aicompute.threshold.assess` takes them), the
outputs (:meth:`Assessment.to_dict`) and the version of aicompute that computed them, and
nothing else: no time, no path. The same inputs with the same version give the same digest;
change any input and the recomputed outputs, and so the digest, change.

>>> canonical({"b": 1.0, "a": [0.1, None]})
'{"a":[0.1,null],"b":1.0}'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from aicompute.jsonable import plain

__all__ = ["canonical", "digest", "document"]


def canonical(data: Any) -> str:
    """JSON with sorted keys, no spaces, non-finite numbers as null, floats as Python's
    shortest round-trip repr: the same data gives the same text on every machine."""
    return json.dumps(
        plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def digest(inputs: Mapping[str, Any], outputs: Mapping[str, Any], version: str) -> str:
    """SHA-256 (hex) of the canonical inputs, outputs and version together."""
    text = canonical({"inputs": inputs, "outputs": outputs, "version": version})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document(inputs: Mapping[str, Any], outputs: Mapping[str, Any], version: str) -> dict[str, Any]:
    """What an assessment's ``assessment.json`` holds: inputs, outputs, the version and their
    digest."""
    return {
        "inputs": plain(dict(inputs)),
        "outputs": plain(dict(outputs)),
        "version": version,
        "sha256": digest(inputs, outputs, version),
    }
