"""The firm layer of a scenario: the measures as one shock to a firm network, then the
generalised Leontief cascade (:func:`econsec.network.propagate`).

How each family acts (assumptions documented in docs/scenarios.md, values in the scenario's
``assumptions``):

* ``export_restriction``: links from firms of the acting country to firms of the targets for
  the restricted products are cut, largest first, until the share blocked of their value is cut;
* ``import_ban``: links from firms of the origins to firms of the banning country are cut;
* a cut link is then partly made good by the trade layer's substitution rule
  (:mod:`econsec.scenarios.substitution`): the product's other suppliers redirect a share ρ of
  their sales elsewhere to the blocked buyers, and a banned origin resells a share α of its
  other markets' purchases from others;
* ``people``: firms of ``against`` in the named sectors produce at
  ``1 − severity · people_output_loss``;
* ``business``: a ``suspension`` stops the named firms (or the sectors' firms in the acting
  country); a ``boycott`` cuts their output by ``boycott_demand_loss``;
* ``capital``: withheld aid, procurement or investment of ``amount_usd`` lowers the output of
  ``against``'s firms by that amount, spread in proportion to their output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econsec.network import Network, Shock, propagate
from econsec.scenarios.model import Measure, Scenario
from econsec.scenarios.substitution import shares as substitution_shares

__all__ = ["FirmImpact", "firm_impact", "scenario_shock"]


@dataclass(frozen=True)
class FirmImpact:
    loss_share: float  # share of the network's output lost
    output_loss: float  # in the network's value unit
    most_affected: tuple[tuple[str, str, str, float], ...]  # (firm, country, sector, loss share)
    by_sector: tuple[tuple[str, float, float], ...] = ()  # (sector, output lost, share lost)


def _cut_share(value: np.ndarray, candidates: np.ndarray, share: float) -> np.ndarray:
    cut = np.zeros(value.size, dtype=bool)
    idx = np.flatnonzero(candidates)
    if idx.size == 0 or share <= 0:
        return cut
    order = idx[np.argsort(-value[idx], kind="stable")]
    target = share * value[idx].sum()
    cumulative = np.cumsum(value[order])
    cut[order[: int(np.searchsorted(cumulative, target - 1e-9 * target) + 1)]] = True
    return cut


def _reroute(
    m: Measure, net: Network, hit: np.ndarray, replaced: np.ndarray, resold: np.ndarray,
    s: Scenario,
) -> None:  # fmt: skip
    """The trade layer's substitution rule on the links ``hit`` (see
    :mod:`econsec.scenarios.substitution`): for each product, suppliers outside the blocked
    side redirect a share ρ of their sales elsewhere to the blocked buyers (``replaced``, in
    proportion to the blocked value); after an import ban, each banned origin wins a share α of
    its other markets' purchases from others (``resold``)."""
    countries = np.array(net.countries, dtype=object)
    product = np.array(net.product, dtype=object)
    supplier_country, buyer_country = countries[net.supplier], countries[net.buyer]
    blocked_from = m.by if m.type == "export_restriction" else m.countries
    blocked_to = m.countries if m.type == "export_restriction" else m.by
    for p in sorted(set(product[hit])):
        of_p = product == p
        shares = substitution_shares(s, str(p))
        at_risk = net.value[hit & of_p].sum()
        elsewhere = (
            of_p
            & ~np.isin(supplier_country, list(blocked_from))
            & ~np.isin(buyer_country, list(blocked_to))
        )
        capacity = shares.redirect * net.value[elsewhere].sum()
        replaced[hit & of_p] = min(1.0, capacity / at_risk) if at_risk > 0 else 0.0
        if m.type != "import_ban":
            continue
        for o in sorted(set(supplier_country[hit & of_p])):
            lost = hit & of_p & (supplier_country == o)
            others = of_p & ~np.isin(buyer_country, [*m.by, o]) & (supplier_country != o)
            headroom = shares.absorb * net.value[others].sum()
            resold[lost] = min(1.0, headroom / net.value[lost].sum())


def _apply(
    m: Measure, net: Network, h0: np.ndarray, cut: np.ndarray, replaced: np.ndarray,
    resold: np.ndarray, s: Scenario,
) -> None:  # fmt: skip
    countries = np.array(net.countries, dtype=object)
    sectors = np.array(net.sectors, dtype=object)
    by = np.isin(countries, list(m.by))
    if m.type in ("export_restriction", "import_ban"):
        products = np.isin(np.array(net.product, dtype=object), list(m.products))
        if m.type == "export_restriction":
            links = by[net.supplier] & np.isin(countries[net.buyer], list(m.countries)) & products
            hit = _cut_share(net.value, links, m.share_blocked)
        else:
            hit = np.isin(countries[net.supplier], list(m.countries)) & by[net.buyer] & products
        cut |= hit
        _reroute(m, net, hit, replaced, resold, s)
    elif m.type == "people":
        hit = np.isin(countries, list(m.countries)) & np.isin(sectors, list(m.sectors))
        h0[hit] = np.minimum(h0[hit], 1 - m.severity * s.assumption("people_output_loss"))
    elif m.type == "business":
        hit = np.isin(np.array(net.firm_ids, dtype=object), list(m.firms))
        if m.sectors:
            hit |= np.isin(sectors, list(m.sectors)) & ~by  # foreign firms in those sectors
        level = 0.0 if m.kind == "suspension" else 1 - s.assumption("boycott_demand_loss")
        h0[hit] = np.minimum(h0[hit], level)
    elif m.type == "capital":
        hit = np.isin(countries, list(m.countries))
        total = net.output[hit].sum()
        if total > 0:
            h0[hit] = np.minimum(h0[hit], 1 - min(1.0, m.amount_usd / total))


def scenario_shock(net: Network, s: Scenario) -> Shock:
    """All measures of ``s`` as one shock to ``net``: links cut by trade measures, firms'
    levels lowered by measures on people and business.

    Parameters
    ----------
    net : Network
        The firm network.
    s : Scenario
        The scenario.

    Returns
    -------
    Shock

    Examples
    --------
    >>> from econsec.network import example_network
    >>> from econsec.scenarios import parse_scenario
    >>> net = example_network()
    >>> hf = parse_scenario({"name": "HF", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "KOR", "products": ["281111"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2019-07", "months": 12}]})
    >>> scenario_shock(net, hf).cut  # R's hydrogen fluoride to P and Q
    array([False,  True, False,  True])
    """
    h0 = np.ones(net.n_firms)
    cut = np.zeros(net.n_links, dtype=bool)
    replaced, resold = np.zeros(net.n_links), np.zeros(net.n_links)
    for m in s.measures:
        _apply(m, net, h0, cut, replaced, resold, s)
    return Shock(h0, cut, s.name, replaced, resold)


def firm_impact(net: Network, s: Scenario, top: int = 10) -> FirmImpact:
    """The cascade of the scenario's shock through ``net``: output lost, the firms and sectors
    hit hardest.

    Parameters
    ----------
    net : Network
        The firm network.
    s : Scenario
        The scenario.
    top : int
        Firms listed.

    Returns
    -------
    FirmImpact

    Examples
    --------
    Korea stops hydrogen fluoride to Japan: P and Q stop; R loses the 35 of sales cut, and M 7
    of ore R no longer needs: (1 + 1 + 0.35 + 0.07) / 5 = 0.484 (the published rule; coupled, U
    also loses the 10 P bought: 0.504).

    >>> from econsec.network import example_network
    >>> from econsec.scenarios import parse_scenario
    >>> net = example_network()
    >>> hf = parse_scenario({"name": "HF", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "KOR", "products": ["281111"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2019-07", "months": 12}]})
    >>> impact = firm_impact(net, hf)
    >>> round(impact.loss_share, 4), [f for f, *_ in impact.most_affected]
    (0.484, ['P', 'Q', 'R', 'M'])

    References
    ----------
    Diem et al. (2022), *Scientific Reports* 12:7719 (the cascade).
    """
    impact = propagate(net, scenario_shock(net, s))
    h = np.asarray(impact.h).ravel()
    loss = 1 - h
    order = np.argsort(-(loss * net.output), kind="stable")[:top]
    return FirmImpact(
        loss_share=float(impact.loss),
        output_loss=float(impact.loss * net.output.sum()),
        most_affected=tuple(
            (net.firm_ids[i], net.countries[i], net.sectors[i], float(loss[i]))
            for i in order
            if loss[i] > 1e-9
        ),
        by_sector=_by_sector(net, loss),
    )


def _by_sector(net: Network, loss: np.ndarray) -> tuple[tuple[str, float, float], ...]:
    """Output lost per sector of the network, largest first."""
    lost: dict[str, list[float]] = {}
    for sector, out, share in zip(net.sectors, net.output, loss, strict=True):
        entry = lost.setdefault(sector, [0.0, 0.0])
        entry[0] += float(out * share)
        entry[1] += float(out)
    rows = [(s, v[0], v[0] / v[1] if v[1] else 0.0) for s, v in lost.items() if v[0] > 1e-9]
    return tuple(sorted(rows, key=lambda r: (-r[1], r[0])))
