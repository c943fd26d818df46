"""The one exception tree of econsec.

Every error the library raises on purpose derives from :class:`EconsecError`. Edges (the CLI,
the service) translate these into exit codes and HTTP statuses; the core never does::

    EconsecError
    ├── InputError          bad user input: a file, row, column or field is wrong
    │   └── PayloadTooLarge an upload or request body over the limit
    ├── RecordsRejected     records that fail validation, with every problem by row and field
    ├── NotFoundError       a named thing (source, product, country, group, record) does not exist
    ├── InsufficientData    too little data behind a number to state it
    ├── Conflict            the request does not fit the object's state (a closed survey)
    ├── ConfigError         a setting, override file or environment variable is wrong
    ├── NotSignedIn         no valid credentials: sign in first
    ├── TooManyRequests     too many attempts (sign-in limits, a locked account): retry later
    ├── AccessDenied        the access policy refused (edges: 403, or 404 for objects)
    ├── DisclosureRefused   the disclosure guard refused a release; ``rule`` names why
    ├── Infeasible          an optimisation has no solution; the message names what binds
    └── ComputationFailed   a numerical method did not reach its answer
        ├── NotConverged    an iteration did not settle within its limit
        └── SolverFailed    an iterative linear solve did not reach its tolerance

Each class maps once to a CLI exit code (``econsec.cli.app.EXIT_CODES``) and once to an HTTP
status (``econsec.api.errors.STATUS``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccessDenied",
    "ComputationFailed",
    "ConfigError",
    "Conflict",
    "DisclosureRefused",
    "EconsecError",
    "FieldProblem",
    "Infeasible",
    "InputError",
    "InputProblems",
    "InsufficientData",
    "NotAcceptable",
    "NotConverged",
    "NotFoundError",
    "NotSignedIn",
    "PayloadTooLarge",
    "RecordsRejected",
    "SolverFailed",
    "TooManyRequests",
]


class EconsecError(Exception):
    """Base class of every error econsec raises on purpose."""


class InputError(EconsecError):
    """Input that does not have the expected form.

    The message names where the fault is (file, line or row, column) and what was expected,
    so that a user can fix the input without reading code.

    Examples
    --------
    >>> str(InputError("value is negative", file="t.csv", line=7, column="v", expected="a number >= 0"))
    "t.csv, line 7, column 'v': value is negative (expected a number >= 0)"
    """

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


class InputProblems(InputError):
    """Several problems found in one pass over a file (up to a limit).

    >>> print(InputProblems("t.csv", [InputError("unknown country code: 'XX'", line=2, column="i"),
    ...                                InputError("not a number: 'x'", line=3, column="v")]))
    t.csv: 2 problems
      line 2, column 'i': unknown country code: 'XX'
      line 3, column 'v': not a number: 'x'
    """

    def __init__(self, file: str, problems: list[InputError], *, limit: int | None = None) -> None:
        self.problems = tuple(
            sorted(problems, key=lambda e: (e.line or e.row or 0, e.column or ""))
        )
        self.limit = limit
        stopped = f" (the first {limit}; checking stopped there)" if limit else ""
        listing = "\n".join(f"  {e}" for e in self.problems)
        super().__init__(f"{len(problems)} problems{stopped}\n{listing}", file=file)


class NotAcceptable(EconsecError):
    """A request whose ``Accept`` header admits none of the answers the service gives (406).

    >>> str(NotAcceptable("cannot answer 'text/html'"))
    "cannot answer 'text/html'"
    """


class PayloadTooLarge(InputError):
    """A request body or upload larger than the limit (refused while it streams in).

    >>> str(PayloadTooLarge(5_000_000))
    'the request is larger than the limit of 5000000 bytes'
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the request is larger than the limit of {limit} bytes")


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


class InsufficientData(EconsecError):
    """Too little data to compute a number honestly."""


class Conflict(EconsecError):
    """The request does not fit the current state of what it acts on (e.g. a closed survey)."""


class ConfigError(EconsecError):
    """A setting, override file or environment variable is wrong."""


class NotSignedIn(EconsecError):
    """No valid credentials: unknown user, wrong password, or an expired or missing token."""


class TooManyRequests(EconsecError):
    """Too many attempts: a client's or an account's sign-in limit; ``retry_after`` seconds.

    >>> TooManyRequests("too many sign-in attempts", 30).retry_after
    30
    """

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"{message}; retry in {self.retry_after} s")


class AccessDenied(EconsecError):
    """The access policy refused; the message says which rule."""


class DisclosureRefused(EconsecError):
    """The disclosure guard refused to release a statistic; ``rule`` names the rule.

    >>> str(DisclosureRefused("min_firms", "only 3 firms contribute (at least 5 needed)"))
    'refused by the disclosure guard: only 3 firms contribute (at least 5 needed)'
    """

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message
        super().__init__(f"refused by the disclosure guard: {message}")


class Infeasible(EconsecError):
    """An optimisation has no feasible solution; the message names the binding constraints."""


class ComputationFailed(EconsecError):
    """A numerical method did not reach its answer; nothing partial is returned."""


class NotConverged(ComputationFailed):
    """An iteration (a cascade, a fixed point) did not settle within its limit."""


class SolverFailed(ComputationFailed):
    """An iterative linear solve did not reach its tolerance."""
