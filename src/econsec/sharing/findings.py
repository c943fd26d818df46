"""The mash-up: what firms' supplier submissions show together that none shows alone.

Supplier mentions of all current submissions are resolved to entities
(:func:`econsec.sharing.entities.resolve`); then, per product:

* ``shared_supplier`` — a supplier several firms depend on (number of firms, sectors, shares);
* ``single_source_cluster`` — a supplier several firms name as their only qualified source;
* ``hidden_tier2_overlap`` — a supplier several firms reach only beyond tier 1, so no firm sees
  that the others share it;
* ``shared_country`` — a country several firms source a product from, with its share of all the
  firms' sourcing of that product and the across-firm HHI of the product's countries.

A finding keeps each firm's contribution (its input share) for the disclosure guard, and takes
the strictest classification of the records behind it and the compartment of its product.
Findings are for cleared analysts; firms only ever see what a release lets through.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from econsec.access.policy import Classification
from econsec.errors import InputError
from econsec.sharing.compartments import compartment_of
from econsec.sharing.entities import Mention, resolve
from econsec.sharing.records import SupplierRecord

__all__ = [
    "CRITICALITY",
    "KINDS",
    "Finding",
    "FindingSummary",
    "SupplierLink",
    "criticality",
    "find",
]

KINDS = (
    "shared_supplier",
    "single_source_cluster",
    "hidden_tier2_overlap",
    "shared_country",
    "shared_vendor",
)  # the last: operators of essential infrastructure (their plans)
_RANK = {c: i for i, c in enumerate(Classification)}


@dataclass(frozen=True, slots=True)
class SupplierLink:
    """One supplier record of one firm's current submission."""

    org: str
    sector: str
    record: SupplierRecord


@dataclass(frozen=True, slots=True)
class FindingSummary:
    """A finding as cleared analysts see it: no firm identities, the statistics of its cell
    (``shared_country`` findings also the country's share of the firms' sourcing of the product
    and the across-firm HHI of its countries)."""

    id: str
    kind: str
    subject: str
    product: str
    country: str
    n_firms: int
    sectors: tuple[str, ...]
    mean_input_share: float
    max_input_share: float
    classification: str
    compartment: str
    country_share: float | None = None
    hhi: float | None = None
    single_source_share: float = 0.0
    criticality: float = 1.0
    severity: float = 0.0


#: The weight of a product in a finding's severity: Japan's specified critical products count
#: double, products on another critical list (EU, US) half as much again, any other once.
CRITICALITY = {"japan": 2.0, "other list": 1.5, "none": 1.0}


def criticality(product: str) -> float:
    """The weight of ``product`` in the severity (:data:`CRITICALITY`).

    Parameters
    ----------
    product : str
        An HS6 code (anything else weighs 1).

    Returns
    -------
    float

    Examples
    --------
    >>> criticality("850511"), criticality("811292"), criticality("030389")
    (2.0, 2.0, 1.0)
    """
    from econsec.reference.catalogue import groups_containing

    try:
        keys = [g.key for g in groups_containing(product)]
    except InputError:  # not a six-digit HS code (e.g. a service): no list holds it
        return CRITICALITY["none"]
    if any(k.startswith("japan/") for k in keys):
        return CRITICALITY["japan"]
    return CRITICALITY["other list"] if keys else CRITICALITY["none"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A cross-firm finding. ``contributions`` maps each firm to its input share."""

    id: str
    kind: str
    subject: str
    product: str
    country: str
    contributions: Mapping[str, float]
    sectors: tuple[str, ...]
    classification: Classification
    compartment: str
    stats: Mapping[str, float] = field(default_factory=dict)
    #: ``shared_country``: each firm's sourcing of the product from every country — the cell
    #: behind the country's share, which the guard must pass before the share is released
    denominator: Mapping[str, float] = field(default_factory=dict)

    @property
    def n_firms(self) -> int:
        return len(self.contributions)

    @property
    def mean_share(self) -> float:
        """The contributors' mean input share."""
        return sum(self.contributions.values()) / len(self.contributions)

    @property
    def severity(self) -> float:
        """How much the finding matters, for the analysts' worklist:

            firms affected × mean input share × (1 + single-source share) × criticality

        — more firms, more of their input, fewer alternatives and a critical product each make
        it worse (single-source share: the share of the firms that named the supplier as their
        only qualified source; criticality: :func:`criticality`).
        """
        single = self.stats.get("single_source_share", 0.0)
        return self.n_firms * self.mean_share * (1 + single) * criticality(self.product)

    def summary(self) -> FindingSummary:
        """The finding as analysts see it (no firm identities)."""
        return FindingSummary(
            id=self.id,
            kind=self.kind,
            subject=self.subject,
            product=self.product,
            country=self.country,
            n_firms=self.n_firms,
            sectors=self.sectors,
            mean_input_share=round(self.mean_share, 4),
            max_input_share=round(max(self.contributions.values()), 4),
            classification=self.classification.value,
            compartment=self.compartment,
            country_share=_rounded(self.stats.get("country_share")),
            hhi=_rounded(self.stats.get("hhi")),
            single_source_share=round(self.stats.get("single_source_share", 0.0), 4),
            criticality=criticality(self.product),
            severity=round(self.severity, 4),
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _finding(
    kind: str,
    key: str,
    subject: str,
    product: str,
    country: str,
    links: Sequence[SupplierLink],
    share: Mapping[str, float],
    stats: Mapping[str, float] | None = None,
    denominator: Mapping[str, float] | None = None,
) -> Finding:
    worst = max(
        (Classification(link.record.classification) for link in links), key=lambda c: _RANK[c]
    )
    firms = {link.org for link in links}
    single = {link.org for link in links if link.record.single_source}
    return Finding(
        id=_id(kind, key, product),
        kind=kind,
        subject=subject,
        product=product,
        country=country,
        contributions=dict(share),
        sectors=tuple(sorted({link.sector for link in links})),
        classification=worst,
        compartment=compartment_of(product),
        stats={**(stats or {}), "single_source_share": len(single) / len(firms)},
        denominator=dict(denominator or {}),
    )


def _shares(links: Sequence[SupplierLink], reduce: str = "max") -> dict[str, float]:
    out: dict[str, float] = {}
    for link in links:
        value = link.record.input_share
        if reduce == "max":
            out[link.org] = max(out.get(link.org, 0.0), value)
        else:
            out[link.org] = out.get(link.org, 0.0) + value
    return out


def find(links: Sequence[SupplierLink], min_firms: int = 2) -> list[Finding]:
    """The mash-up: every finding involving at least ``min_firms`` firms, most firms first (see
    the module docstring for the kinds).

    Parameters
    ----------
    links : sequence of SupplierLink
        Every firm's current supplier records.
    min_firms : int
        The fewest firms a finding needs.

    Returns
    -------
    list of Finding

    Examples
    --------
    Two firms name one supplier differently; one of them reaches it only at tier 2.

    >>> from econsec.sharing.records import SupplierRecord
    >>> links = [SupplierLink("A", "C29", SupplierRecord("Chipco", "TWN", "854231", 1, 0.6, True, 30)),
    ...          SupplierLink("B", "C26", SupplierRecord("CHIPCO LTD", "TWN", "854231", 2, 0.2, False, 9))]
    >>> [(f.kind, f.subject, f.n_firms) for f in find(links)]
    [('shared_country', 'TWN', 2), ('shared_supplier', 'Chipco (TWN)', 2)]
    """
    mentions = [
        Mention(
            i,
            link.record.supplier_name,
            link.record.country,
            link.record.supplier_lei,
            link.record.supplier_corporate_number,
            link.org,
        )
        for i, link in enumerate(links)
    ]
    out: list[Finding] = []
    for entity in resolve(mentions):
        by_product: dict[str, list[SupplierLink]] = defaultdict(list)
        for i in entity.mentions:
            by_product[links[i].record.product].append(links[i])
        subject = f"{entity.name} ({entity.country})"
        for product, group in by_product.items():
            selections = {
                "shared_supplier": group,
                "single_source_cluster": [g for g in group if g.record.single_source],
                "hidden_tier2_overlap": [g for g in group if g.record.tier >= 2],
            }
            for kind, chosen in selections.items():
                if len({g.org for g in chosen}) >= min_firms:
                    out.append(
                        _finding(
                            kind,
                            entity.id,
                            subject,
                            product,
                            entity.country,
                            chosen,
                            _shares(chosen),
                        )
                    )
    by_product_country: dict[str, dict[str, list[SupplierLink]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for link in links:
        by_product_country[link.record.product][link.record.country].append(link)
    for product, countries in by_product_country.items():
        totals = {c: sum(g.record.input_share for g in gs) for c, gs in countries.items()}
        grand = sum(totals.values())
        hhi = sum((t / grand) ** 2 for t in totals.values()) if grand > 0 else 0.0
        everyone = _shares([g for gs in countries.values() for g in gs], "sum")
        for country, group in countries.items():
            if len({g.org for g in group}) >= min_firms:
                stats = {"country_share": totals[country] / grand if grand else 0.0, "hhi": hhi}
                out.append(
                    _finding(
                        "shared_country",
                        country,
                        country,
                        product,
                        country,
                        group,
                        _shares(group, "sum"),
                        stats,
                        everyone,
                    )
                )
    return sorted(out, key=lambda f: (-f.n_firms, f.kind, f.subject, f.product))
