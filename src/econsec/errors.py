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
    ├── TooManyRequests     too many attempts (sign-in limits, a locked account, a data
    │                       publisher's quota): retry later
    ├── SourceUnavailable   a data publisher could not be reached or refused (network,
    │                       proxy, key): the message says what to do
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

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from econsec.i18n import N_, tr

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
    "SourceUnavailable",
    "TooManyRequests",
]


class EconsecError(Exception):
    """Base class of every error econsec raises on purpose."""

    def in_language(self, lang: str) -> str:
        """The message in ``lang`` where the error words it from catalogue messages (input
        errors and rejected records), else as raised."""
        return str(self)


class InputError(EconsecError):
    """Input that does not have the expected form.

    The message names where the fault is (file, line or row, column) and what was expected,
    so that a user can fix the input without reading code. ``problem`` and ``expected`` are
    catalogue messages whose ``{name}`` fields come from ``values``, so that the error reads in
    the user's language (:meth:`in_language`); ``str()`` is the English.

    Examples
    --------
    >>> str(InputError("value is negative", file="t.csv", line=7, column="v", expected="a number >= 0"))
    "t.csv, line 7, column 'v': value is negative (expected a number >= 0)"
    >>> e = InputError("unknown country code: {code!r}", line=2, values={"code": "XX"})
    >>> str(e), e.in_language("ja")
    ("line 2: unknown country code: 'XX'", "2 行目: 不明な国コード: 'XX'")
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
        values: Mapping[str, object] | None = None,
    ) -> None:
        self.template = problem
        self.values = dict(values or {})
        self.problem = _filled(problem, "en", self.values)
        self.file = file
        self.line = line
        self.row = row
        self.column = column
        self.expected = expected
        super().__init__(self.in_language("en"))

    def message(self, lang: str = "en") -> str:
        """What is wrong and what was expected, without where (for a table of problems)."""
        text = _filled(self.template, lang, self.values)
        if self.expected:
            expected = _filled(self.expected, lang, self.values)
            text = _filled(N_("{problem} (expected {expected})"), lang,
                           {"problem": text, "expected": expected})  # fmt: skip
        return text

    def in_language(self, lang: str) -> str:
        """The whole message in ``lang`` (``en`` or a language with a catalogue)."""
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(_filled(N_("line {n}"), lang, {"n": self.line}))
        if self.row is not None:
            where.append(_filled(N_("row {n}"), lang, {"n": self.row}))
        if self.column:
            where.append(_filled(N_("column {name!r}"), lang, {"name": self.column}))
        return (", ".join(where) + ": " if where else "") + self.message(lang)


def _filled(message: str, lang: str, values: Mapping[str, object]) -> str:
    return tr(message, lang, **values) if values else tr(message, lang)


class InputProblems(InputError):
    """Several problems found in one pass over a file (up to a limit).

    >>> e = InputProblems("t.csv", [InputError("unknown country code: {code!r}", line=2, column="i",
    ...                                        values={"code": "XX"}),
    ...                             InputError("not a number: 'x'", line=3, column="v")])
    >>> print(e)
    t.csv: 2 problems
      line 2, column 'i': unknown country code: 'XX'
      line 3, column 'v': not a number: 'x'
    >>> print(e.in_language("ja"))
    t.csv: 2 件の問題
      2 行目, 列 'i': 不明な国コード: 'XX'
      3 行目, 列 'v': not a number: 'x'
    """

    def __init__(self, file: str, problems: list[InputError], *, limit: int | None = None) -> None:
        self.problems = tuple(
            sorted(problems, key=lambda e: (e.line or e.row or 0, e.column or ""))
        )
        self.limit = limit
        super().__init__("{n} problems", file=file, values={"n": len(self.problems)})

    def message(self, lang: str = "en") -> str:
        head = _filled(N_("{n} problems"), lang, {"n": len(self.problems)})
        if self.limit:
            head += _filled(N_(" (the first {limit}; checking stopped there)"), lang,
                            {"limit": self.limit})  # fmt: skip
        return head + "".join(f"\n  {e.in_language(lang)}" for e in self.problems)


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
        super().__init__("the request is larger than the limit of {limit} bytes",
                         values={"limit": limit})  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad field of one record: ``row`` counts records from 1 (a CSV's header is not a row).
    ``message`` is a catalogue message whose ``{name}`` fields come from ``values``; it is kept
    filled in in English, and :meth:`in_language` gives it in another language.

    >>> p = FieldProblem(2, "tier", "not a number: {value!r}", {"value": "x"})
    >>> p.message, p.in_language("ja")
    ("not a number: 'x'", "数値ではありません: 'x'")
    """

    row: int | None
    field: str
    message: str
    values: Mapping[str, object] = dataclasses.field(default_factory=dict, compare=False,
                                                     repr=False)  # fmt: skip
    template: str = dataclasses.field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "template", self.message)
        object.__setattr__(self, "message", _filled(self.message, "en", self.values))

    def in_language(self, lang: str) -> str:
        """The problem (without row and field) in ``lang``."""
        return _filled(self.template, lang, self.values)

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

    def in_language(self, lang: str) -> str:
        head = f"{self.source}: " if self.source else ""
        shown = "; ".join(
            _filled(N_("row {n}, field {field!r}: {problem}"), lang,
                    {"n": p.row, "field": p.field, "problem": p.in_language(lang)})
            if p.row is not None
            else _filled(N_("field {field!r}: {problem}"), lang,
                         {"field": p.field, "problem": p.in_language(lang)})
            for p in self.problems[:5]
        )  # fmt: skip
        more = (_filled(N_("; and {n} more"), lang, {"n": len(self.problems) - 5})
                if len(self.problems) > 5 else "")  # fmt: skip
        count = _filled(N_("{n} problem(s)"), lang, {"n": len(self.problems)})
        return f"{head}{count}: {shown}{more}"


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


class SourceUnavailable(EconsecError):
    """A data publisher (CEPII, UN Comtrade) could not be reached or refused the request: no
    network, a proxy wanting credentials, a wrong key, a failing server. Nothing was imported;
    the message says what to do."""


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
