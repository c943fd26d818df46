"""What firms submit: supplier relationships, coercion incidents and outflow concerns.

Each kind is an entry of the registry :data:`KINDS`: its :class:`Field` specifications and the
frozen dataclass of one record (:class:`SupplierRecord`, :class:`IncidentReport`,
:class:`OutflowReport`). :func:`check` checks a batch of records (JSON objects, or CSV rows whose
values are all text) against fields and returns them in normal form, or raises
:class:`RecordsRejected` listing every bad field of every row, so that a submission is accepted
whole or not at all; :func:`validate` does so for a kind and returns its dataclasses.
:func:`json_schema` publishes the same rules as JSON Schema for the API.

Adding a kind is adding one :class:`SubmissionKind` to :data:`KINDS` (its fields and its record
class); the API's upload route, the OpenAPI schema and the storage follow from the entry.

Identifiers are checked, not only shaped: a Legal Entity Identifier by its ISO 17442 check digits
(ISO 7064 MOD 97-10) and a Japanese corporate number (法人番号) by its leading check digit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypeAlias

from econsec.access.policy import Classification
from econsec.errors import FieldProblem, NotFoundError, RecordsRejected
from econsec.i18n import N_, Message
from econsec.reference.countries import to_alpha3
from econsec.spreadsheet import restore

__all__ = [
    "KINDS",
    "MAX_SUPPLIER_NAMES",
    "Field",
    "IncidentReport",
    "OutflowReport",
    "Record",
    "SubmissionKind",
    "SupplierRecord",
    "Value",
    "check",
    "is_corporate_number",
    "is_lei",
    "json_schema",
    "parse_csv",
    "product_of",
    "record_from_json",
    "record_json",
    "substantive",
    "validate",
]

FAMILIES = ("goods", "people", "business", "capital")
PRETEXTS = ("none", "quarantine", "safety", "security", "other")
IMPACTS = ("low", "medium", "high", "severe")
AREAS = ("semiconductors", "ai", "quantum", "space", "fusion", "materials", "biotech", "other")
CHANNELS = ("hiring_away", "joint_research", "acquisition", "cyber_theft", "licensing", "other")
CLASSIFICATIONS = tuple(c.value for c in Classification)
#: The most distinct supplier names one submission may carry (a firm's real supplier list is far
#: shorter; a flood of names would only slow or steer the mash-up).
MAX_SUPPLIER_NAMES = 2_000
_TRUE = {"true", "1", "yes", "y"}
#: A field's value in normal form.
Value: TypeAlias = str | int | float | bool | list[str] | None
_FALSE = {"false", "0", "no", "n"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field: its type (``text``, ``country``, ``hs6``, ``int``, ``number``, ``bool``,
    ``date``, ``choice``, ``lei``, ``corporate_number``, or the lists ``countries`` and
    ``texts`` — JSON arrays, or ``;``-separated in CSV), bounds and whether it is required."""

    name: str
    type: str
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    default: Value = None
    max_length: int = 200
    description: str = ""


def _c() -> Field:
    return Field(
        "classification",
        "choice",
        required=False,
        choices=CLASSIFICATIONS,
        default="RESTRICTED",
        description="PUBLIC, SHARED (TLP:GREEN), RESTRICTED (TLP:AMBER) or CONFIDENTIAL",
    )


@dataclass(frozen=True, slots=True)
class SupplierRecord:
    """One supplier relationship a firm reports (see the fields of ``KINDS["suppliers"]``)."""

    supplier_name: str
    country: str
    product: str
    tier: int
    input_share: float
    single_source: bool
    inventory_days: float
    supplier_lei: str | None = None
    supplier_corporate_number: str | None = None
    classification: str = "RESTRICTED"


@dataclass(frozen=True, slots=True)
class IncidentReport:
    """A coercion incident a firm met (see the fields of ``KINDS["incidents"]``)."""

    family: str
    pretext: str
    country: str
    date: str
    impact: str
    product: str | None = None
    impact_usd: float | None = None
    description: str | None = None
    classification: str = "RESTRICTED"


@dataclass(frozen=True, slots=True)
class OutflowReport:
    """A technology or talent outflow concern (see the fields of ``KINDS["outflow"]``)."""

    area: str
    channel: str
    severity: int
    country: str | None = None
    date: str | None = None
    description: str | None = None
    classification: str = "RESTRICTED"


Record: TypeAlias = SupplierRecord | IncidentReport | OutflowReport


@dataclass(frozen=True, slots=True)
class SubmissionKind:
    """A kind of submission: its name, its fields (the rules) and its record class."""

    name: str
    fields: tuple[Field, ...]
    record: type[SupplierRecord] | type[IncidentReport] | type[OutflowReport]
    description: str


_KINDS = (
    SubmissionKind(
        "suppliers",
        (
            Field("supplier_name", "text", description="the supplier's name as the firm knows it"),
            Field(
                "country", "country", description="the supplier's country (ISO 3166 code or name)"
            ),
            Field("product", "hs6", description="what the supplier provides (HS6 code)"),
            Field("tier", "int", minimum=1, maximum=10, description="1 = direct supplier"),
            Field("input_share", "number", minimum=0, maximum=1, description="share of the input"),
            Field("single_source", "bool", description="no alternative supplier is qualified"),
            Field("inventory_days", "number", minimum=0, maximum=3650, description="days of stock"),
            Field("supplier_lei", "lei", required=False, description="ISO 17442 LEI"),
            Field(
                "supplier_corporate_number",
                "corporate_number",
                required=False,
                description="national corporate number (Japan: 13 digits with check digit)",
            ),
            _c(),
        ),
        SupplierRecord,
        "supplier relationships; supersedes the firm's current list",
    ),
    SubmissionKind(
        "incidents",
        (
            Field("family", "choice", choices=FAMILIES),
            Field("pretext", "choice", choices=PRETEXTS),
            Field("country", "country", description="the jurisdiction that applied the measure"),
            Field("product", "hs6", required=False),
            Field("date", "date", description="when the firm was first affected (YYYY-MM-DD)"),
            Field("impact", "choice", choices=IMPACTS),
            Field("impact_usd", "number", required=False, minimum=0, maximum=1e13),
            Field("description", "text", required=False, max_length=2000),
            _c(),
        ),
        IncidentReport,
        "coercion incidents the firm met",
    ),
    SubmissionKind(
        "outflow",
        (
            Field("area", "choice", choices=AREAS, description="critical technology area"),
            Field("channel", "choice", choices=CHANNELS),
            Field("severity", "int", minimum=1, maximum=5, description="1 minor … 5 critical"),
            Field("country", "country", required=False, description="where it went, if known"),
            Field("date", "date", required=False),
            Field("description", "text", required=False, max_length=2000),
            _c(),
        ),
        OutflowReport,
        "technology or talent outflow concerns",
    ),
)
#: The registry of submission kinds, by name.
KINDS: dict[str, SubmissionKind] = {k.name: k for k in _KINDS}


def substantive(kind: str, records: Sequence[Record]) -> bool:
    """Whether a submission makes its firm a contributor (alerts to all firms and its sector,
    benchmarks): a supplier list with at least one direct (tier-1) supplier and a positive input
    share — the data findings and benchmarks are made of. Incident and outflow reports, or a
    supplier list without direct inputs, do not count.

    Parameters
    ----------
    kind : str
        The submission kind.
    records : sequence of Record
        Its records.

    Returns
    -------
    bool

    Examples
    --------
    >>> substantive("suppliers", [SupplierRecord("Acme", "CHN", "811292", 1, 0.3, True, 45)])
    True
    >>> substantive("outflow", [OutflowReport("ai", "hiring_away", 1)])
    False
    >>> substantive("suppliers", [SupplierRecord("Acme", "CHN", "811292", 2, 0.3, True, 45)])
    False
    """
    return kind == "suppliers" and any(
        isinstance(r, SupplierRecord) and r.tier == 1 and r.input_share > 0 for r in records
    )


def product_of(record: Record) -> str | None:
    """The HS6 product a record is about, if any (it decides the record's compartment).

    Parameters
    ----------
    record : Record
        A record of any kind.

    Returns
    -------
    str or None

    Examples
    --------
    >>> product_of(SupplierRecord("Acme", "CHN", "811292", 1, 0.3, True, 45))
    '811292'
    >>> product_of(OutflowReport("ai", "hiring_away", 3)) is None
    True
    """
    return None if isinstance(record, OutflowReport) else record.product


def record_json(record: Record) -> dict[str, Value]:
    """A record as a JSON object (its fields in normal form), as stored sealed.

    Parameters
    ----------
    record : Record
        A record of any kind.

    Returns
    -------
    dict

    Examples
    --------
    >>> record_json(OutflowReport("ai", "hiring_away", 3))["severity"]
    3
    """
    return asdict(record)


def record_from_json(kind: str, data: Mapping[str, Value]) -> Record:
    """A stored record of ``kind`` back from its JSON object.

    Parameters
    ----------
    kind : str
        A name in :data:`KINDS`.
    data : mapping
        The record's JSON object (:func:`record_json`).

    Returns
    -------
    Record

    Examples
    --------
    >>> r = OutflowReport("ai", "hiring_away", 3)
    >>> record_from_json("outflow", record_json(r)) == r
    True
    """
    return KINDS[kind].record(**data)  # type: ignore[arg-type]


def is_lei(code: str) -> bool:
    """Whether ``code`` is a Legal Entity Identifier with valid check digits (ISO 17442: 18
    alphanumerics and 2 check digits; the whole, letters read as 10–35, is 1 modulo 97 —
    ISO 7064 MOD 97-10).

    Parameters
    ----------
    code : str
        A candidate LEI (upper case).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_lei("5493006W3QUS5LMH6R84"), is_lei("5493006W3QUS5LMH6R85")
    (True, False)
    """
    if len(code) != 20 or not code.isalnum() or not code.isascii() or not code[18:].isdigit():
        return False
    return int("".join(str(int(ch, 36)) for ch in code.upper())) % 97 == 1


def is_corporate_number(code: str) -> bool:
    """Whether ``code`` is a Japanese corporate number (法人番号): 13 digits, the first a check
    digit over the other 12 (9 minus the weighted digit sum mod 9, weights 1 and 2 from the
    right; National Tax Agency).

    Parameters
    ----------
    code : str
        A candidate number.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_corporate_number("1180301018771"), is_corporate_number("2180301018771")
    (True, False)
    """
    if len(code) != 13 or not code.isdigit() or not code.isascii():
        return False
    total = sum(int(d) * (1 if i % 2 else 2) for i, d in enumerate(reversed(code[1:]), 1))
    return 9 - total % 9 == int(code[0])


def _number(f: Field, value: object, whole: bool) -> float | int:
    if isinstance(value, bool):
        raise ValueError("a number")
    if isinstance(value, str):
        value = value.strip()
        number: float = int(value) if whole and value.lstrip("-").isdigit() else float(value)
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise ValueError("a number")
    if not math.isfinite(number) or (whole and number != int(number)):
        raise ValueError("a whole number" if whole else "a finite number")
    if (f.minimum is not None and number < f.minimum) or (
        f.maximum is not None and number > f.maximum
    ):
        raise ValueError("out of range")
    return int(number) if whole else float(number)


def _expected(f: Field) -> Message:
    if f.type in ("int", "number"):
        kind = (
            N_("a whole number from {low:g} to {high:g}")
            if f.type == "int"
            else N_("a number from {low:g} to {high:g}")
        )
        return Message(kind, {"low": f.minimum, "high": f.maximum})
    return Message(
        {
            "text": N_("text of at most {length} characters"),
            "country": N_("an ISO 3166 country code or name"),
            "hs6": N_("a 6-digit HS code"),
            "bool": N_("true or false"),
            "date": N_("a date YYYY-MM-DD"),
            "choice": N_("one of {choices}"),
            "lei": N_("a 20-character LEI with valid check digits (ISO 17442)"),
            "corporate_number": N_("a 13-digit corporate number with a valid check digit"),
            "countries": N_("country codes or names (a list, or ;-separated)"),
            "texts": N_("texts of at most {length} characters (a list, or ;-separated)"),
        }[f.type],
        {"length": f.max_length, "choices": ", ".join(f.choices)},
    )


def _convert(f: Field, value: object) -> Value:
    """The value in normal form; ValueError when it does not fit."""
    if f.type in ("countries", "texts"):
        items = value.split(";") if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValueError
        one = Field(f.name, "country" if f.type == "countries" else "text", max_length=f.max_length)
        return sorted({str(_convert(one, item)) for item in items if not isinstance(item, list)})
    if f.type in ("int", "number"):
        return _number(f, value, f.type == "int")
    if f.type == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    if f.type == "text":
        if not text or len(text) > f.max_length or any(ord(c) < 32 for c in text):
            raise ValueError
        return text
    if f.type == "country":
        try:
            return to_alpha3(text)
        except NotFoundError:
            raise ValueError from None
    if f.type == "hs6":
        if len(text) != 6 or not text.isdigit() or not text.isascii():
            raise ValueError
        return text
    if f.type == "date":
        return dt.date.fromisoformat(text).isoformat()
    if f.type == "choice":
        if text not in f.choices:
            raise ValueError
        return text
    if f.type == "lei":
        if not is_lei(text.upper()):
            raise ValueError
        return text.upper()
    if f.type == "corporate_number":
        if not is_corporate_number(text):
            raise ValueError
        return text
    raise AssertionError(f.type)  # pragma: no cover - KINDS uses only the types above


def check(
    fields: Sequence[Field],
    records: Sequence[object],
    *,
    source: str | None = None,
    max_records: int = 10_000,
) -> list[dict[str, Value]]:
    """Check ``records`` against ``fields``: all of them in normal form, or none.

    Parameters
    ----------
    fields : sequence of Field
        The rules.
    records : sequence of object
        JSON objects or CSV rows (text values).
    source : str, optional
        Where they came from, for messages.
    max_records : int
        The most records accepted at once.

    Returns
    -------
    list of dict
        A dict per record with every field present (defaults filled in).

    Raises
    ------
    RecordsRejected
        Naming every bad field of every row.

    Examples
    --------
    >>> check(KINDS["outflow"].fields, [{"area": "ai", "channel": "hiring_away", "severity": "3"}])[0]
    {'area': 'ai', 'channel': 'hiring_away', 'severity': 3, 'country': None, 'date': None, \
'description': None, 'classification': 'RESTRICTED'}
    """
    known = {f.name for f in fields}
    problems: list[FieldProblem] = []
    if not records:
        raise RecordsRejected([FieldProblem(None, "records", "no records")], source=source)
    if len(records) > max_records:
        raise RecordsRejected(
            [
                FieldProblem(
                    None,
                    "records",
                    "at most {max_records} records per submission",
                    values={"max_records": max_records},
                )
            ],
            source=source,
        )
    out = []
    for row, record in enumerate(records, 1):
        if not isinstance(record, Mapping):
            problems.append(FieldProblem(row, "record", "expected an object of fields"))
            continue
        problems += [
            FieldProblem(
                row,
                str(name),
                "unknown field (expected one of {known})",
                {"known": ", ".join(known)},
            )
            for name in record
            if name not in known
        ]
        clean: dict[str, Value] = {}
        for f in fields:
            value = record.get(f.name)
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                if f.required:
                    problems.append(
                        FieldProblem(row, f.name, "missing ({v1})", values={"v1": _expected(f)})
                    )
                clean[f.name] = f.default
                continue
            try:
                clean[f.name] = _convert(f, value)
            except ValueError:
                shown = repr(value)[:60]
                problems.append(
                    FieldProblem(
                        row,
                        f.name,
                        "expected {v1}, got {shown}",
                        values={"v1": _expected(f), "shown": shown},
                    )
                )
        out.append(clean)
    if problems:
        raise RecordsRejected(problems, source=source)
    return out


def validate(
    kind: str, records: Sequence[object], *, source: str | None = None, max_records: int = 10_000
) -> list[Record]:
    """Check ``records`` of a submission kind: its record dataclasses, or none.

    Parameters
    ----------
    kind : str
        A name in :data:`KINDS`.
    records : sequence of object
        JSON objects or CSV rows.
    source : str, optional
        Where they came from, for messages.
    max_records : int
        The most records accepted at once.

    Returns
    -------
    list of Record

    Raises
    ------
    RecordsRejected
        Naming every bad field of every row.

    Examples
    --------
    >>> validate("outflow", [{"area": "ai", "channel": "hiring_away", "severity": "3"}])[0]
    OutflowReport(area='ai', channel='hiring_away', severity=3, country=None, date=None, \
description=None, classification='RESTRICTED')
    """
    clean = check(KINDS[kind].fields, records, source=source, max_records=max_records)
    if kind == "suppliers":
        from econsec.sharing.entities import normalise

        names = {normalise(str(values["supplier_name"])) for values in clean}
        if len(names) > MAX_SUPPLIER_NAMES:
            message = f"at most {MAX_SUPPLIER_NAMES} distinct supplier names per submission"
            raise RecordsRejected([FieldProblem(None, "supplier_name", message)], source=source)
    return [record_from_json(kind, values) for values in clean]


def parse_csv(data: bytes, *, source: str = "upload") -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV with a header (a byte-order mark is allowed), as text values; blank
    lines are skipped, and cells an export neutralised against formulas are restored
    (:func:`econsec.spreadsheet.restore`).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    source : str
        Its name, for messages.

    Returns
    -------
    list of dict of str to str

    Raises
    ------
    RecordsRejected
        For text that is not UTF-8, malformed CSV, no header, or rows with the wrong number of
        values (each named).

    Examples
    --------
    >>> parse_csv("\\ufeffcountry,tier\\nCHN,1\\n\\n".encode())
    [{'country': 'CHN', 'tier': '1'}]
    >>> parse_csv(b"a,b\\n1\\n")
    Traceback (most recent call last):
    econsec.errors.RecordsRejected: upload: 1 problem: row 1, field 'row': 1 values for 2 columns
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordsRejected(
            [
                FieldProblem(
                    None, "file", "not UTF-8 text (byte {start})", values={"start": exc.start}
                )
            ],
            source=source,
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = list(reader)
    except csv.Error as exc:
        raise RecordsRejected(
            [FieldProblem(None, "file", "malformed CSV: {exc}", values={"exc": exc})], source=source
        ) from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise RecordsRejected([FieldProblem(None, "file", "no header row")], source=source)
    header = [h.strip() for h in rows[0]]
    records: list[dict[str, str]] = []
    problems = []
    for row, values in enumerate(rows[1:], 1):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                FieldProblem(
                    row,
                    "row",
                    "{v1} values for {v2} columns",
                    values={"v1": len(values), "v2": len(header)},
                )
            )
            continue
        records.append(dict(zip(header, map(restore, values), strict=True)))
    if problems:
        raise RecordsRejected(problems, source=source)
    return records


def json_schema(kind: str | Sequence[Field]) -> dict[str, object]:
    """The JSON Schema of one record of ``kind`` (the API's published contract).

    Parameters
    ----------
    kind : str or sequence of Field
        A name in :data:`KINDS`, or the fields themselves.

    Returns
    -------
    dict

    Examples
    --------
    >>> schema = json_schema("outflow")
    >>> schema["required"], schema["properties"]["severity"]["maximum"]
    (['area', 'channel', 'severity'], 5)
    """
    fields = KINDS[kind].fields if isinstance(kind, str) else kind
    props: dict[str, object] = {}
    for f in fields:
        if f.type in ("int", "number"):
            p: dict[str, object] = {
                "type": "integer" if f.type == "int" else "number",
                "minimum": f.minimum,
                "maximum": f.maximum,
            }
        elif f.type == "bool":
            p = {"type": "boolean"}
        elif f.type == "choice":
            p = {"type": "string", "enum": list(f.choices)}
        elif f.type == "hs6":
            p = {"type": "string", "pattern": "^[0-9]{6}$"}
        elif f.type == "date":
            p = {"type": "string", "format": "date"}
        elif f.type in ("countries", "texts"):
            p = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
        else:
            p = {"type": "string", "minLength": 1, "maxLength": f.max_length}
        if f.description:
            p["description"] = f.description
        props[f.name] = p
    return {
        "type": "object",
        "properties": props,
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }
