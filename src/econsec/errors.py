"""The one exception tree of econsec.

Every error the library raises on purpose derives from :class:`EconsecError`. Edges (the CLI,
the service) translate these into exit codes and HTTP statuses; the core never does::

    EconsecError
    ├── InputError          bad user input: a file, row, column or field is wrong
    ├── NotFoundError       a named thing (source, product, country, group) does not exist
    ├── InsufficientData    too little data behind a number to state it
    ├── ConfigError         a setting, override file or environment variable is wrong
    └── AccessDenied        the access policy refused (edges: 403, or 404 for objects)
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "ConfigError",
    "EconsecError",
    "InputError",
    "InsufficientData",
    "NotFoundError",
]


class EconsecError(Exception):
    """Base class of every error econsec raises on purpose."""

    exit_code = 1


class InputError(EconsecError):
    """Input that does not have the expected form.

    The message names where the fault is (file, line or row, column) and what was expected,
    so that a user can fix the input without reading code.

    Examples
    --------
    >>> str(InputError("value is negative", file="t.csv", line=7, column="v", expected="a number >= 0"))
    "t.csv, line 7, column 'v': value is negative (expected a number >= 0)"
    """

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.row = row
        self.column = column
        self.expected = expected
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class NotFoundError(EconsecError):
    """A named thing does not exist."""

    exit_code = 3


class InsufficientData(EconsecError):
    """Too little data to compute a number honestly."""

    exit_code = 4


class ConfigError(EconsecError):
    """A setting, override file or environment variable is wrong."""

    exit_code = 5


class AccessDenied(EconsecError):
    """The access policy refused; the message says which rule."""

    exit_code = 6
