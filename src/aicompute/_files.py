"""Atomic file writes: write beside the target, then rename over it.

A crash or an error mid-write leaves the old file untouched and no partial file behind.
New files get the usual permissions (0666 less the umask), not a temporary file's 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "default_mode"]


def default_mode(directory: bool = False) -> int:
    """Permissions a normal ``open()`` / ``mkdir()`` would give under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[Any]], Any], binary: bool = False
) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path`` and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
