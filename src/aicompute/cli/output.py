"""Printing helpers shared by the commands: JSON, errors, the Rich console."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import typer

from aicompute.errors import InputError
from aicompute.jsonable import plain


@contextlib.contextmanager
def user_errors(flags: bool = False) -> Iterator[None]:
    """Turn an :class:`InputError` into one line on stderr and exit status 2.

    With ``flags``, the estimate's input names show as the options that set them
    (``--peak-flops``)."""
    try:
        yield
    except InputError as error:
        from aicompute.estimation.inputs import Style, field_label, render

        style: Style = "flag" if flags else "name"
        field = field_label(error.field, style)
        line = render(error.message, style)
        sys.stderr.write(f"aicompute: error: {field + ': ' if field else ''}{line}\n")
        raise typer.Exit(2) from None


def call_with(function: Callable[..., Any], values: dict[str, Any]) -> Any:
    """Call a library ``function`` with the command's ``values`` of its parameters: the CLI's
    parameters are named as the library's fields, so nothing is listed twice.

    >>> call_with(lambda a, b=2: a + b, {"a": 1, "b": 3, "as_json": True})
    4
    """
    import inspect

    names = inspect.signature(function).parameters
    return function(**{name: value for name, value in values.items() if name in names})


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (non-finite numbers become null)."""
    sys.stdout.write(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n")


def console(stderr: bool = False):
    """A Rich console on stdout, or stderr (imported lazily: Rich costs start-up time)."""
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


@contextlib.contextmanager
def spinner(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A transient spinner on stderr naming the step under way: ``step("counting")``. It shows
    only on a terminal (elsewhere it would leave a blank line before an error) and never with
    ``quiet``; stdout, ``--json`` included, stays clean."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    status = console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=status,
        disable=quiet or not status.is_terminal,
    ) as progress:
        tasks: list[Any] = []

        def step(description: str) -> None:
            if tasks:
                progress.update(tasks[0], description=description)
            else:
                tasks.append(progress.add_task(description, total=None))

        yield step
