"""Safe outputs: atomic writes, clear errors, and never writing over an input.

A write goes to a temporary file beside the target and is renamed over it, so a crash or an
error mid-write (a full disk, a lost permission) leaves the old file untouched and no partial
file behind. New files get the usual permissions (0666 less the umask), not a temporary file's
0600; a replaced file keeps its own. Writing through a symbolic link replaces the file it
points to, not the link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from aicompute.errors import InputError

__all__ = [
    "atomic_write",
    "check_parents",
    "default_mode",
    "describe_os_error",
    "output_errors",
    "refuse_overwriting_inputs",
    "same_file",
]


def default_mode(directory: bool = False) -> int:
    """Permissions a normal ``open()`` / ``mkdir()`` would give under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


def check_parents(path: str | os.PathLike[str]) -> None:
    """Raise :class:`NotADirectoryError` when an existing ancestor of ``path`` is not a folder
    (so ``path`` could never be created)."""
    for parent in Path(path).parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(parent))
            return


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[Any]], Any], binary: bool = False
) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path`` and rename it over ``path``.

    An :class:`OSError` (no permission, no space, a file where a folder should be) propagates
    with ``filename`` set, and nothing is left behind; see :func:`output_errors`."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    check_parents(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = default_mode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _with_name(error, path) from None
    try:
        f: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with f:
            write(f)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise _with_name(error, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _with_name(error: OSError, path: Path) -> OSError:
    """The error with ``filename`` naming what the user asked for, not a temporary file."""
    if error.filename is None or Path(str(error.filename)).name.endswith(".tmp"):
        return OSError(error.errno, error.strerror or str(error), str(path))
    return error


def describe_os_error(error: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """``cannot write PATH: reason`` for an error raised while writing an output.

    >>> describe_os_error(PermissionError(13, "Permission denied", "/r/out.csv"))
    'cannot write /r/out.csv: Permission denied'
    >>> describe_os_error(NotADirectoryError(20, "not a folder", "notes.txt"), "notes.txt/a.csv")
    'cannot write notes.txt/a.csv: notes.txt is not a folder'
    """
    target = str(path) if path is not None else str(error.filename or "the output")
    reason = error.strerror or str(error) or type(error).__name__
    if error.errno == errno.ENOTDIR and error.filename and str(error.filename) != target:
        reason = f"{error.filename} is not a folder"
    elif error.errno == errno.EISDIR:
        reason = "it is a folder"
    elif error.filename and str(error.filename) != target:
        reason = f"{reason}: {error.filename}"
    return f"cannot write {target}: {reason}"


@contextlib.contextmanager
def output_errors(field: str = "out", path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Turn an :class:`OSError` raised inside into ``InputError(field, "cannot write ...")``."""
    try:
        yield
    except OSError as error:
        raise InputError(field, describe_os_error(error, path)) from None


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when ``a`` and ``b`` are the same file (links and hard links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def refuse_overwriting_inputs(
    out: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str]],
    *,
    field: str = "out",
    folder: bool = False,
) -> None:
    """Raise :class:`InputError` when writing ``out`` would destroy one of ``inputs``: the same
    file, or (``folder=True``, a folder that is replaced whole) a folder that holds one."""
    target = Path(out)
    for item in inputs:
        source = Path(item)
        if same_file(target, source):
            also = "" if str(source) == str(out) else f" {source}"
            raise InputError(
                field, f"{out} is the input file{also}; write the output to another file"
            )
        if folder:
            with contextlib.suppress(OSError, RuntimeError):
                if source.resolve().is_relative_to(target.resolve()):
                    raise InputError(
                        field,
                        f"{out} holds the input {source}, which writing the folder would delete; "
                        "choose another folder",
                    )
