"""The one exception tree of econsec.

Every error the library raises on purpose derives from :class:`EconsecError`. Edges (the CLI,
the service) translate these into exit codes and HTTP statuses; the core never does::

    EconsecError
    ├── InputError          bad user input: a file, row, column or field is wrong
    ├── RecordsRejected     records that fail validation, with every problem by row and field
    ├── NotFoundError       a named thing (source, product, country, group) does not exist
    ├── InsufficientData    too little data behind a number to state it
    ├── ConfigError         a setting, override file or environment variable is wrong
    ├── AccessDenied        the access policy refused (edges: 403, or 404 for objects)
    └── Infeasible          an optimisation has no solution; the message names what binds
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccessDenied",
    "ConfigError",
    "EconsecError",
    "FieldProblem",
    "Infeasible",
    "InputError",
    "InsufficientData",
    "NotFoundError",
    "RecordsRejected",
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


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad field of one record: ``row`` counts records from 1 (a CSV's header is not a row)."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}field {self.field!r}: {self.message}"


class RecordsRejected(EconsecError):
    """Records that failed validation; nothing of them was stored.

    >>> str(RecordsRejected([FieldProblem(2, "tier", "expected a whole number >= 1, got 'x'")]))
    "1 problem: row 2, field 'tier': expected a whole number >= 1, got 'x'"
    """

    exit_code = 2

    def __init__(self, problems: list[FieldProblem], *, source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        head = f"{source}: " if source else ""
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        shown = "; ".join(str(p) for p in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(f"{head}{count}: {shown}{more}")


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


class Infeasible(EconsecError):
    """An optimisation has no feasible solution; the message names the binding constraints."""

    exit_code = 7
