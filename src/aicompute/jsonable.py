"""Values made ready for JSON: the one cleaner every face uses (``--json``, the web API, the
report's ``summary.json``).

>>> import math
>>> plain({"a": math.inf, "b": [1.5, math.nan], "c": (2,)})
{'a': None, 'b': [1.5, None], 'c': [2]}
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """``value`` with non-finite numbers as None (JSON has no NaN or infinity), tuples as
    lists, and NumPy scalars as Python numbers, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return plain(value.item())
    return value
