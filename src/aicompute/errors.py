"""The one exception type for mistakes a user can make."""

from __future__ import annotations


class InputError(ValueError):
    """A bad input, naming the field it came from.

    The command line prints ``str(error)`` as one line and exits with status 2; the web API
    answers 422 with ``field`` and ``message``.

    >>> err = InputError("days", "must be positive, got -1")
    >>> str(err)
    'days: must be positive, got -1'
    """

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)
