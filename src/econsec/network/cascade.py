"""Shock propagation on firm networks: the generalised Leontief cascade and the ESRI.

After Diem, Borsos, Reisch, Kertész & Thurner (2022), *Quantifying firm-level economic systemic
risk from nation-wide supply networks*, Sci. Rep. 12:7719. Each firm *j* keeps a fraction
:math:`h_j \\in [0, 1]` of its production. Inputs are grouped by type *k* (the link's product);
:math:`\\Pi_{jk} = \\sum_{i \\in k} W_{ij}` is *j*'s original input of type *k* and
:math:`S_{jk}(h) = \\sum_{i \\in k} W_{ij} h_i \\kappa_{ij} / \\Pi_{jk}` the fraction still
delivered (:math:`\\kappa_{ij} = 0` for a link cut by the shock, else 1).

Supply side (downstream): essential inputs limit production, non-essential ones reduce it in
proportion to their share of all inputs,

.. math::

    h^{d}_j = \\min\\Big( \\min_{k \\in E_j} S_{jk},\\;
              1 - \\sum_{k \\in N_j} \\frac{\\Pi_{jk}}{\\Pi_j} (1 - S_{jk}) \\Big).

Demand side (upstream): a firm loses the sales its customers no longer buy, relative to its
output :math:`x_i` (sales to final demand are unaffected),

.. math::

    h^{u}_i = 1 - \\frac{1}{x_i} \\sum_j W_{ij} (1 - h_j \\kappa_{ij}).

From the initial levels :math:`h^0` (failed firms 0, partly failed firms in between),
:math:`h(t+1) = \\min(h^0, h^d(h(t)), h^u(h(t)))` until no level moves by more than ``tol``. The
map is monotone, so the sequence decreases to the largest fixed point below :math:`h^0`. The
loss is :math:`L = \\sum_j x_j (1 - h_j) / \\sum_j x_j`; the economic systemic risk index
:math:`\\mathrm{ESRI}_i` is the loss when firm *i* alone fails.

With only non-essential inputs and no demand side this is linear: the losses
:math:`\\ell = 1 - h` of the firms not shocked solve :math:`\\ell = B^\\top \\ell`-type
equations with :math:`B_{ij} = W_{ij}/\\Pi_j`, which a test checks against a sparse solve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from econsec.errors import EconsecError, InputError
from econsec.network.model import Network

__all__ = ["Impact", "Propagator", "Shock", "country_export_ban", "esri", "firm_failure", "propagate"]


@dataclass(frozen=True, eq=False)
class Shock:
    """Initial production levels ``h0`` (n) and links cut (bool, m) by the shock."""

    h0: np.ndarray
    cut: np.ndarray
    description: str


@dataclass(frozen=True, eq=False)
class Impact:
    """Result of a cascade: final levels, total output loss share and iterations used."""

    h: np.ndarray
    loss: float
    iterations: int
    shock: Shock


def firm_failure(network: Network, firms: dict[str, float], description: str = "") -> Shock:
    """Firms failing completely (level 0) or partly (level in (0, 1)): ``{firm_id: level}``."""
    h0 = np.ones(network.n_firms)
    for firm, level in firms.items():
        if not 0.0 <= level <= 1.0:
            raise InputError(f"level {level} of firm {firm!r}", expected="a level between 0 and 1")
        h0[network.index(firm)] = level
    return Shock(h0, np.zeros(network.n_links, bool), description or f"failure of {len(firms)} firm(s)")


def country_export_ban(network: Network, country: str, targets: frozenset[str] | None = None) -> Shock:
    """All links from firms in ``country`` to firms elsewhere (or in ``targets``) are cut."""
    countries = np.array(network.countries, dtype=object)
    from_country = countries[network.supplier] == country
    buyer_country = countries[network.buyer]
    to_target = (buyer_country != country) if targets is None else np.isin(buyer_country, list(targets))
    return Shock(np.ones(network.n_firms), from_country & to_target,
                 f"export ban by {country}" + (f" on {', '.join(sorted(targets))}" if targets else ""))


class NotConverged(EconsecError):
    """The cascade did not settle within the iteration limit."""


@dataclass(frozen=True, eq=False)
class Propagator:
    """The network prepared for repeated cascades (slots = buyer × input type)."""

    network: Network
    slot_of_link: np.ndarray
    slot_buyer: np.ndarray
    slot_total: np.ndarray
    slot_essential: np.ndarray
    slot_share: np.ndarray
    output: np.ndarray
    ess_order: np.ndarray  # essential slots sorted by buyer
    ess_starts: np.ndarray
    ess_buyers: np.ndarray

    @classmethod
    def of(cls, network: Network) -> Propagator:
        n = network.n_firms
        if network.n_links == 0:
            empty = np.zeros(0, np.int64)
            return cls(network, empty, empty, np.zeros(0), np.zeros(0, bool), np.zeros(0),
                       np.maximum(network.output, 1e-300), empty, empty, empty)
        types = {p: t for t, p in enumerate(sorted(set(network.product)))}
        kind = np.fromiter((types[p] for p in network.product), np.int64, network.n_links)
        key = network.buyer * len(types) + kind
        unique, slot = np.unique(key, return_inverse=True)
        slot_buyer = unique // len(types)
        slot_total = np.bincount(slot, weights=network.value, minlength=unique.size)
        slot_essential = np.bincount(slot, weights=network.essential.astype(float),
                                     minlength=unique.size) > 0
        inputs = np.bincount(slot_buyer, weights=slot_total, minlength=n)
        share = np.divide(slot_total, inputs[slot_buyer], out=np.zeros_like(slot_total),
                          where=inputs[slot_buyer] > 0)
        ess = np.flatnonzero(slot_essential)
        ess = ess[np.argsort(slot_buyer[ess], kind="stable")]
        ess_buyers, ess_starts = np.unique(slot_buyer[ess], return_index=True)
        output = np.maximum(network.output, np.bincount(network.supplier, weights=network.value,
                                                        minlength=n))
        return cls(network, slot.astype(np.int64), slot_buyer, slot_total, slot_essential, share,
                   np.maximum(output, 1e-300), ess, ess_starts, ess_buyers)

    def step(self, h: np.ndarray, keep: np.ndarray, upstream: bool = True) -> np.ndarray:
        """One update of levels ``h`` (n, or n × b for b cascades at once)."""
        net = self.network
        n = net.n_firms
        batched = h.ndim == 2
        w = net.value * keep
        if batched:
            w = w[:, None]
        delivered = h[net.supplier] * w
        nslots = self.slot_total.size
        if batched:
            remaining = np.zeros((nslots, h.shape[1]))
            np.add.at(remaining, self.slot_of_link, delivered)
        else:
            remaining = np.bincount(self.slot_of_link, weights=delivered, minlength=nslots)
        total = self.slot_total[:, None] if batched else self.slot_total
        s = np.divide(remaining, total, out=np.ones_like(remaining), where=total > 0)
        down = np.ones_like(h)
        if self.ess_order.size:
            mins = np.minimum.reduceat(s[self.ess_order], self.ess_starts, axis=0)
            down[self.ess_buyers] = mins
        lost = (1.0 - s) * (self.slot_share[:, None] if batched else self.slot_share)
        lost = np.where((~self.slot_essential)[:, None] if batched else ~self.slot_essential, lost, 0.0)
        if batched:
            linear = np.zeros((n, h.shape[1]))
            np.add.at(linear, self.slot_buyer, lost)
        else:
            linear = np.bincount(self.slot_buyer, weights=lost, minlength=n)
        down = np.minimum(down, 1.0 - linear)
        if not upstream:
            return np.clip(down, 0.0, 1.0)
        unsold = (1.0 - h[net.buyer] * (keep[:, None] if batched else keep)) * (
            net.value[:, None] if batched else net.value)
        if batched:
            missing = np.zeros((n, h.shape[1]))
            np.add.at(missing, net.supplier, unsold)
        else:
            missing = np.bincount(net.supplier, weights=unsold, minlength=n)
        up = 1.0 - missing / (self.output[:, None] if batched else self.output)
        return np.clip(np.minimum(down, up), 0.0, 1.0)


def propagate(
    network: Network | Propagator,
    shock: Shock,
    *,
    tol: float = 1e-9,
    max_iter: int = 10_000,
    upstream: bool = True,
) -> Impact:
    """Run the cascade from ``shock`` to its fixed point (see the module docstring).

    ``upstream=False`` switches the demand side off (supply shortages only).
    Raises :class:`NotConverged` rather than return a partial answer.
    """
    prop = network if isinstance(network, Propagator) else Propagator.of(network)
    keep = (~shock.cut).astype(float)
    h = shock.h0.astype(float).copy()
    for iteration in range(1, max_iter + 1):
        new = np.minimum(shock.h0, prop.step(h, keep, upstream))
        if np.max(np.abs(new - h), initial=0.0) <= tol:
            return Impact(new, _loss(prop, new), iteration, shock)
        h = new
    raise NotConverged(f"the cascade did not converge in {max_iter} iterations (tolerance {tol})")


def _loss(prop: Propagator, h: np.ndarray) -> float:
    x = prop.network.output
    return float(np.dot(x, 1.0 - h) / x.sum())


def esri(
    network: Network,
    firms: np.ndarray | None = None,
    *,
    batch: int = 256,
    tol: float = 1e-9,
    max_iter: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """ESRI of ``firms`` (indices; default all): the share of total output lost when each fails.

    Cascades run ``batch`` at a time as columns of one level matrix.
    """
    prop = Propagator.of(network)
    todo = np.arange(network.n_firms) if firms is None else np.asarray(firms)
    out = np.zeros(todo.size)
    keep = np.ones(network.n_links)
    x = network.output
    for start in range(0, todo.size, batch):
        chunk = todo[start:start + batch]
        h0 = np.ones((network.n_firms, chunk.size))
        h0[chunk, np.arange(chunk.size)] = 0.0
        h = h0.copy()
        for _ in range(max_iter):
            new = np.minimum(h0, prop.step(h, keep))
            if np.max(np.abs(new - h), initial=0.0) <= tol:
                break
            h = new
        else:
            raise NotConverged(f"an ESRI cascade did not converge in {max_iter} iterations")
        out[start:start + chunk.size] = x @ (1.0 - new) / x.sum()
        if progress is not None:
            progress(min(start + batch, todo.size), todo.size)
    return out
