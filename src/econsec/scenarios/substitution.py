"""How much of a blocked flow others replace: substitution shares estimated from observed
reallocation, one rule for the trade layer and the firm layer.

Two shares, defined as the trade layer uses them (:mod:`econsec.scenarios.trade`):

* **redirect** ρ: after an export restriction by X on T (or an import ban by T on X), the other
  suppliers send T a share ρ of what they sold elsewhere before;
* **absorb** α: after an import ban by T on origin O, O wins a share α of its other markets'
  purchases from other origins.

Observed over a past measure (``before`` and ``after`` years of the same flows), for product p:

* ρ̂ = (others' sales to T after − before) / others' sales to everyone but T before;
* α̂ = (O's sales to markets other than T after − before) / those markets' purchases from
  others before.

:data:`ESTIMATES` (``substitution.csv``) holds the shares estimated from the cases in the data
folder, each with its case, data and years, for the case's product and, as the median of its
cases, for its HS section. :func:`shares` picks, for a product, the scenario's own value when it
sets one, else the product's estimate, else its section's, else the documented default (an
assumption, said so). The firm layer (:mod:`econsec.scenarios.firms`) reroutes cut links by the
same shares.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from statistics import median

from econsec.scenarios.model import DEFAULTS, Scenario

__all__ = ["ESTIMATES", "Estimate", "Shares", "hs_section", "observed", "shares"]

Flows = Mapping[str, Sequence[tuple[str, str, float]]]  # product -> (exporter, importer, value)

#: HS sections by their first chapter (WCO): chapter -> section numeral.
_SECTIONS = (
    (1, "I"), (6, "II"), (15, "III"), (16, "IV"), (25, "V"), (28, "VI"), (39, "VII"),
    (41, "VIII"), (44, "IX"), (47, "X"), (50, "XI"), (64, "XII"), (68, "XIII"), (71, "XIV"),
    (72, "XV"), (84, "XVI"), (86, "XVII"), (90, "XVIII"), (93, "XIX"), (94, "XX"), (97, "XXI"),
)  # fmt: skip


def hs_section(code: str) -> str:
    """The HS section of an HS code.

    Parameters
    ----------
    code : str
        An HS code (two digits or more).

    Returns
    -------
    str
        The section's Roman numeral.

    Examples
    --------
    >>> hs_section("100390"), hs_section("220421"), hs_section("811292")
    ('II', 'IV', 'XV')
    """
    chapter = int(code[:2])
    return next(s for first, s in reversed(_SECTIONS) if chapter >= first)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A substitution share observed over a past measure."""

    product: str  # the HS6 code of the case
    share: str  # redirect or absorb
    value: float
    case: str  # the incident (see econsec/intelligence/known_incidents.csv)
    origin: str
    by: str
    data: str
    item: str  # the product as the data name it (FAOSTAT's Beverages is broader than wine)
    before: int
    after: int


@cache
def _estimates() -> tuple[Estimate, ...]:
    text = files("econsec.scenarios").joinpath("substitution.csv").read_text("utf-8")
    return tuple(
        Estimate(r["product"], r["share"], float(r["value"]), r["case"], r["origin"], r["by"],
                 r["data"], r["item"], int(r["before"]), int(r["after"]))
        for r in csv.DictReader(text.splitlines())
    )  # fmt: skip


ESTIMATES = _estimates()


def observed(
    before: Flows, after: Flows, origin: str, by: str, product: str
) -> tuple[float, float]:
    """(ρ̂, α̂) for a measure between ``origin`` and ``by`` on ``product``, from the flows of a
    year before and a year after (see the module docstring).

    Parameters
    ----------
    before, after : mapping
        Product → (exporter, importer, value) in the two years.
    origin : str
        The blocked exporter.
    by : str
        The importer that blocks it (or that it was blocked from).
    product : str
        The product.

    Returns
    -------
    tuple of float
        ρ̂ and α̂ (0 where the denominator is empty).

    Examples
    --------
    >>> before = {"p": [("A", "T", 100.0), ("B", "T", 10.0), ("B", "M", 50.0),
    ...                 ("C", "M", 40.0), ("A", "M", 10.0)]}
    >>> after = {"p": [("B", "T", 30.0), ("B", "M", 30.0), ("C", "M", 30.0), ("A", "M", 20.0)]}
    >>> rho, alpha = observed(before, after, "A", "T", "p")
    >>> round(rho, 3), round(alpha, 3)  # (30 - 10) / (50 + 40); (20 - 10) / (50 + 40)
    (0.222, 0.111)
    """

    def total(flows: Flows, keep: Callable[[str, str], bool]) -> float:
        return sum(v for x, i, v in flows.get(product, ()) if keep(x, i))

    def others_to_by(flows: Flows) -> float:
        return total(flows, lambda x, i: x != origin and i == by)

    def to_rest(flows: Flows) -> float:
        return total(flows, lambda x, i: x == origin and i != by)

    elsewhere = total(before, lambda x, i: x != origin and i != by)
    rest_from_others = total(before, lambda x, i: x != origin and i not in (by, origin))
    rho = (others_to_by(after) - others_to_by(before)) / elsewhere if elsewhere else 0.0
    alpha = (to_rest(after) - to_rest(before)) / rest_from_others if rest_from_others else 0.0
    return rho, alpha


@dataclass(frozen=True, slots=True)
class Shares:
    """The redirect and absorb shares used for a product, and where each comes from."""

    product: str
    redirect: float
    absorb: float
    redirect_source: str
    absorb_source: str

    def as_dict(self) -> dict[str, object]:
        return {
            "product": self.product,
            "redirect_share": round(self.redirect, 4),
            "absorb_share": round(self.absorb, 4),
            "redirect_source": self.redirect_source,
            "absorb_source": self.absorb_source,
        }


def _pick(s: Scenario | None, product: str, share: str) -> tuple[float, str]:
    name = f"{share}_share"
    if s is not None and name in s.assumptions:
        return s.assumption(name), "the scenario's assumption"
    exact = [e for e in ESTIMATES if e.share == share and e.product == product]
    if exact:
        e = exact[0]
        where = f"{e.data}, {e.item}, {e.origin}→{e.by}, {e.before}→{e.after}"
        return max(e.value, 0.0), f"estimated: {e.case} ({where})"
    section = hs_section(product) if product[:2].isdigit() else ""
    same = [e for e in ESTIMATES if e.share == share and hs_section(e.product) == section]
    if same:
        cases = ", ".join(sorted({e.case for e in same}))
        value = max(median(e.value for e in same), 0.0)
        return value, f"estimated for HS section {section}: median of {len(same)} cases ({cases})"
    return DEFAULTS[name], "assumption (no estimate from data for this HS section)"


def shares(s: Scenario | None, product: str) -> Shares:
    """The substitution shares for ``product`` in scenario ``s`` (None: no scenario, so no
    override; see the module docstring).

    Parameters
    ----------
    s : Scenario or None
        The scenario, whose own ``redirect_share``/``absorb_share`` win when it sets them.
    product : str
        The HS6 code.

    Returns
    -------
    Shares
        Both shares and where each comes from.

    Examples
    --------
    >>> from econsec.scenarios import parse_scenario
    >>> s = parse_scenario({"name": "x", "base_year": 2024, "measures": [
    ...     {"type": "import_ban", "by": "CHN", "products": ["100390"], "origins": ["AUS"],
    ...      "start": "2020-05", "months": 12, "pretext": "other"}]})
    >>> print(shares(s, "811292").redirect_source)
    assumption (no estimate from data for this HS section)
    >>> shares(s, "100390").absorb_source.startswith("estimated: chn-aus-barley-2020")
    True
    """
    rho, rho_source = _pick(s, product, "redirect")
    alpha, alpha_source = _pick(s, product, "absorb")
    return Shares(product, rho, alpha, rho_source, alpha_source)
