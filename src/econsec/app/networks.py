"""Firm networks from a user's files: a network's summary, a firm's exposure by country and
the firms' systemic risk, as the results the CLI prints (JSON: ``dataclasses.asdict``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from econsec.errors import InputError
from econsec.i18n import N_
from econsec.network import Network, articulation_points, exposure, shared_suppliers
from econsec.network.cascade import MODELS
from econsec.network.exposure import SharedSupplier
from econsec.network.systemic import scan_esri

__all__ = [
    "EsriRow",
    "ExposurePath",
    "ExposureRow",
    "NetworkSummary",
    "esri_ranking",
    "firm_exposure",
    "summary",
]


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    """Size, countries, sectors, essential links and the most shared hidden suppliers."""

    firms: int
    links: int
    countries: dict[str, int]
    sectors: tuple[str, ...]
    essential_share: float
    total_link_value: float
    articulation_points: tuple[str, ...]
    shared_hidden_suppliers: tuple[SharedSupplier, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ExposurePath:
    firms: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """A firm's dependence on one country: directly, through any tier, and hidden."""

    country: str
    tier1_share: float
    any_tier_share: float
    hidden_share: float
    paths: tuple[ExposurePath, ...]


@dataclass(frozen=True, slots=True)
class EsriRow:
    """A firm's ESRI and the certified bound of its error."""

    firm_id: str
    esri: float
    error_bound: float
    #: whether ``error_bound`` is within the tolerance asked for (else the scan ran out of
    #: sweeps and the value is only known to lie within ``esri ± error_bound``)
    certified: bool


def summary(net: Network, top: int = 10) -> NetworkSummary:
    """The summary of a network, with its ``top`` most shared hidden suppliers."""
    return NetworkSummary(
        firms=net.n_firms,
        links=net.n_links,
        countries=dict(Counter(net.countries)),
        sectors=tuple(sorted(set(net.sectors))),
        essential_share=float(np.mean(net.essential)) if net.n_links else 0.0,
        total_link_value=float(net.value.sum()),
        articulation_points=articulation_points(net),
        shared_hidden_suppliers=tuple(shared_suppliers(net)[:top]),
        source=net.source,
    )


def firm_exposure(net: Network, firm_id: str, paths: int = 3) -> list[ExposureRow]:
    """A firm's dependence on every country its supply chains reach, largest first."""
    return [
        ExposureRow(e.country, e.tier1, e.any_tier, e.hidden,
                    tuple(ExposurePath(p.firms, p.weight) for p in e.paths))
        for e in exposure(net, firm_id, paths=paths)
    ]  # fmt: skip


def esri_ranking(
    net: Network,
    top: int | None = None,
    tol: float = 1e-6,
    progress: Callable[[int, int], None] | None = None,
    model: str = "published",
    replaceability: bool = False,
) -> list[EsriRow]:
    """Every firm's ESRI within ``tol`` (certified where the sweep budget allows), riskiest
    first (the ``top`` riskiest), by the ``published`` or the ``coupled`` rule."""
    if not 0 < tol < 1:
        raise InputError(
            "--tol {tol}", values={"tol": tol}, expected=N_("a number between 0 and 1, e.g. 1e-6")
        )
    if model not in MODELS:
        raise InputError("--model {model!r}", values={"model": model}, expected=" or ".join(MODELS))
    scan = scan_esri(net, tol=tol, progress=progress, model=model, replaceability=replaceability)
    order = sorted(range(net.n_firms), key=lambda i: (-scan.esri[i], net.firm_ids[i]))
    return [
        EsriRow(net.firm_ids[i], float(scan.esri[i]), float(scan.bound[i]),
                bool(scan.certified[i]))
        for i in order[:top]
    ]  # fmt: skip
