"""Coercion scenarios: what a country does, to whom, for how long.

A scenario file is YAML validated against ``scenario.schema.json`` (published with the package:
``econsec scenario schema``). Each measure's ``type`` is one of the four coercion families —
trade (``export_restriction``, ``import_ban``), ``people``, ``business``, ``capital`` — and every
measure states its ``pretext`` (none, quarantine, safety, security, other), the disguise
coercion usually wears. Errors name the path of the bad field, e.g.
``measures[1].share_blocked``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_
from econsec.reference.catalogue import select_products
from econsec.reference.countries import group_members, to_alpha3
from econsec.yamltext import load_yaml

__all__ = [
    "DEFAULTS",
    "Measure",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "read_scenario",
    "schema",
]

DEFAULTS: dict[str, float] = {
    "redirect_share": 0.2,
    "stockpile_days": 60.0,
    "absorb_share": 0.2,
    "people_output_loss": 0.1,
    "boycott_demand_loss": 0.3,
}


@dataclass(frozen=True, slots=True)
class Measure:
    """One coercive measure with countries resolved to ISO3 and products to HS6 codes."""

    type: str
    by: frozenset[str]  # the acting country, or the members of an acting group (EU27)
    pretext: str
    products: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()  # targets, origins or ``against``
    share_blocked: float = 1.0
    start: dt.date | None = None
    months: int = 12
    sectors: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    kind: str = ""
    severity: float = 0.0
    instrument: str = ""
    amount_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    base_year: int
    measures: tuple[Measure, ...]
    description: str = ""
    assumptions: dict[str, Any] = field(default_factory=dict)

    def assumption(self, name: str) -> float:
        return float(self.assumptions.get(name, DEFAULTS[name]))

    def stockpile_days(self, product: str) -> float:
        by_product = self.assumptions.get("stockpile_days_by_product", {})
        return float(by_product.get(product, self.assumption("stockpile_days")))


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (``econsec scenario schema``).

    Returns
    -------
    dict

    Examples
    --------
    >>> sorted(schema()["required"])
    ['base_year', 'measures', 'name']
    """
    data: dict[str, Any] = json.loads(
        Path(__file__).with_name("scenario.schema.json").read_text("utf-8")
    )
    return data


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _validate(raw: Any, source: str) -> None:
    import jsonschema

    s = schema()
    measure = {k: v for k, v in s["$defs"]["measure"].items() if k != "oneOf"}
    outer = {**s, "$defs": {**s["$defs"], "measure": measure}}
    checks: list[tuple[Any, Any, list[Any]]] = [(outer, raw, [])]
    if isinstance(raw, dict) and isinstance(raw.get("measures"), list):
        for i, m in enumerate(raw["measures"]):
            branch = s["$defs"].get(m.get("type")) if isinstance(m, dict) else None
            if branch is not None:  # the family's own rules, for precise messages
                checks.append(({**branch, "$defs": s["$defs"]}, m, ["measures", i]))
    for sch, value, prefix in checks:
        validator = jsonschema.Draft202012Validator(sch)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            raise InputError(error.message, file=source, column=_path([*prefix, *error.path]))


def _countries(names: list[str], where: str, source: str) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        try:
            out |= group_members(name)
            continue
        except NotFoundError:
            pass
        try:
            out.add(to_alpha3(name))
        except NotFoundError:
            raise InputError(
                "unknown country or group {name!r}", values={"name": name}, file=source, column=where,
                expected=N_("an ISO 3166 code, a country name or a group such as G7"),
            ) from None  # fmt: skip
    return frozenset(out)


def parse_scenario(raw: Any, source: str = "scenario") -> Scenario:
    """A scenario from parsed YAML or JSON: checked against the schema, countries and groups
    resolved to ISO alpha-3, products and critical lists to HS6 codes.

    Parameters
    ----------
    raw : object
        The parsed document.
    source : str
        Its name, for messages.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Naming the field at fault and what was expected.

    Examples
    --------
    >>> raw = {"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "China", "products": ["critical:japan/critical_minerals"],
    ...      "targets": ["G7"], "share_blocked": 0.5, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]}
    >>> m = parse_scenario(raw).measures[0]
    >>> sorted(m.by), "JPN" in m.countries, "811292" in m.products
    (['CHN'], True, True)
    >>> parse_scenario({**raw, "base_year": "soon"})
    Traceback (most recent call last):
    econsec.errors.InputError: scenario, column 'base_year': 'soon' is not of type 'integer'
    """
    _validate(raw, source)
    measures = []
    for i, m in enumerate(raw["measures"]):
        where = f"measures[{i}]"
        start = None
        if "start" in m:
            text = m["start"] if len(m["start"]) == 10 else m["start"] + "-01"
            try:
                start = dt.date.fromisoformat(text)
            except ValueError:
                raise InputError(
                    "bad date {v1!r}", values={"v1": m['start']}, file=source, column=f"{where}.start",
                    expected=N_("YYYY-MM or YYYY-MM-DD"),
                ) from None  # fmt: skip
        products: frozenset[str] = frozenset()
        if "products" in m:
            try:
                products = select_products(
                    ",".join(m["products"]), start or dt.date(raw["base_year"], 12, 31)
                )
            except NotFoundError as exc:
                raise InputError(str(exc), file=source, column=f"{where}.products") from None
        listed = m.get("targets") or m.get("origins") or ([m["against"]] if "against" in m else [])
        key = "targets" if "targets" in m else "origins" if "origins" in m else "against"
        measures.append(
            Measure(
                type=m["type"],
                by=_countries([m["by"]], f"{where}.by", source),
                pretext=m["pretext"],
                products=products,
                countries=_countries(listed, f"{where}.{key}", source) if listed else frozenset(),
                share_blocked=float(m.get("share_blocked", 1.0)),
                start=start,
                months=int(m.get("months", 12)),
                sectors=tuple(m.get("sectors", ())),
                firms=tuple(m.get("firms", ())),
                kind=m.get("kind", ""),
                severity=float(m.get("severity", 0.0)),
                instrument=m.get("instrument", ""),
                amount_usd=float(m.get("amount_usd", 0.0)),
            )
        )
    return Scenario(
        name=raw["name"],
        base_year=int(raw["base_year"]),
        measures=tuple(measures),
        description=raw.get("description", ""),
        assumptions=dict(raw.get("assumptions", {})),
    )


def read_scenario(text: str, source: str = "scenario") -> Scenario:
    """A scenario from YAML (or JSON) text, checked as :func:`parse_scenario` does. Anchors and
    aliases are refused before the document is built (a few hundred bytes of aliases can
    expand to gigabytes).

    Parameters
    ----------
    text : str
        The document.
    source : str
        Its name, for messages.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Naming the line (bad YAML) or the field at fault.

    Examples
    --------
    >>> read_scenario("name: x\\nbase_year: [2024")
    Traceback (most recent call last):
    econsec.errors.InputError: scenario, line 2: not valid YAML: expected ',' or ']', but got '<stream end>'
    """
    raw = load_yaml(text, source)
    return parse_scenario(raw, source)


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file.

    Parameters
    ----------
    path : pathlib.Path
        A YAML or JSON file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        Naming the file and the line or field at fault.

    Examples
    --------
    >>> from importlib.resources import files
    >>> load_scenario(Path(str(files("econsec.scenarios") / "demo.yaml"))).base_year
    2024
    """
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(
            "cannot read: {strerror}", values={"strerror": exc.strerror}, file=str(path)
        ) from None
    return read_scenario(text, str(path))
