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

Two rules (:data:`MODELS`). ``published``, as the authors' own implementation computes it: from
the initial levels :math:`h^0` (failed firms 0, partly failed firms in between), the supply
cascade :math:`d(t+1) = \\min(h^0, h^d(d(t)))` and the demand cascade
:math:`u(t+1) = \\min(h^0, h^u(u(t)))` run apart, and each firm's level is
:math:`\\min(d, u)` at the end. ``coupled``, econsec's extension, feeds both sides into every
step: :math:`h(t+1) = \\min(h^0, h^d(h(t)), h^u(h(t)))`. Either runs until no level moves by
more than ``tol``. Each map is monotone, so each sequence decreases to the largest fixed point
below :math:`h^0`; the coupled one lies at or below the published one. Irrelevant links (not
``relevant``) constrain nothing but count in :math:`\\Pi_j` and in the demand side. The loss
is :math:`L = \\sum_j x_j (1 - h_j) / \\sum_j x_j`; the economic systemic risk index
:math:`\\mathrm{ESRI}_i` is the loss when firm *i* alone fails.

With only non-essential inputs and no demand side this is linear: the losses
:math:`\\ell = 1 - h` of the firms not shocked solve :math:`\\ell = B^\\top \\ell`-type
equations with :math:`B_{ij} = W_{ij}/\\Pi_j`, which a test checks against a sparse solve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from econsec.errors import InputError, NotConverged
from econsec.i18n import N_
from econsec.network.model import Network

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The cascade models: ``published`` as the ESRI's authors compute it (the supply and the demand
#: cascades run apart, each firm's lower level taken at the end), and ``coupled``, econsec's
#: extension (both sides in every step, so that shortages and lost demand feed each other).
MODELS = ("published", "coupled")

__all__ = [
    "MODELS",
    "Impact",
    "Propagator",
    "Shock",
    "country_export_ban",
    "esri",
    "firm_failure",
    "propagate",
]


@dataclass(frozen=True, eq=False)
class Shock:
    """Initial production levels ``h0`` (n) and links cut (bool, m) by the shock; optionally,
    for each cut link, the share of its deliveries that substitute suppliers make good
    (``replaced``) and the share of its sales the supplier makes elsewhere (``resold``)."""

    h0: np.ndarray
    cut: np.ndarray
    description: str
    replaced: np.ndarray | None = None
    resold: np.ndarray | None = None

    def kept(self) -> tuple[FloatArray, FloatArray]:
        """Each link's delivered and sold shares (1 for uncut links)."""
        cut = self.cut.astype(bool)
        delivered, sold = (
            np.where(cut, 0.0 if share is None else share, 1.0).astype(np.float64)
            for share in (self.replaced, self.resold)
        )
        return delivered, sold


@dataclass(frozen=True, eq=False)
class Impact:
    """Result of a cascade: final levels, total output loss share and iterations used."""

    h: np.ndarray
    loss: float
    iterations: int
    shock: Shock


def firm_failure(network: Network, firms: dict[str, float], description: str = "") -> Shock:
    """A shock of firms failing completely (level 0) or partly (a level in (0, 1)).

    Parameters
    ----------
    network : Network
        The network.
    firms : dict of str to float
        Firm id → its remaining production level.
    description : str
        What to call the shock.

    Returns
    -------
    Shock

    Raises
    ------
    InputError
        For a level outside [0, 1].
    NotFoundError
        For an unknown firm.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> firm_failure(net, {"R": 0.0}).h0
    array([1., 0., 1., 1., 1.])
    """
    h0 = np.ones(network.n_firms)
    for firm, level in firms.items():
        if not 0.0 <= level <= 1.0:
            raise InputError(
                "level {level} of firm {firm!r}",
                values={"level": level, "firm": firm},
                expected=N_("a level between 0 and 1"),
            )
        h0[network.index(firm)] = level
    return Shock(
        h0, np.zeros(network.n_links, bool), description or f"failure of {len(firms)} firm(s)"
    )


def country_export_ban(
    network: Network, country: str, targets: frozenset[str] | None = None
) -> Shock:
    """A shock cutting every link from firms in ``country`` to firms elsewhere (or in
    ``targets``): an export ban.

    Parameters
    ----------
    network : Network
        The network.
    country : str
        The banning country (ISO alpha-3).
    targets : frozenset of str, optional
        Only links to these countries (default: every other country).

    Returns
    -------
    Shock

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> shock = country_export_ban(net, "CHN")
    >>> shock.cut, shock.description
    (array([ True, False, False, False]), 'export ban by CHN')
    """
    countries = np.array(network.countries, dtype=object)
    from_country = countries[network.supplier] == country
    buyer_country = countries[network.buyer]
    to_target = (
        (buyer_country != country) if targets is None else np.isin(buyer_country, list(targets))
    )
    return Shock(
        np.ones(network.n_firms),
        from_country & to_target,
        f"export ban by {country}" + (f" on {', '.join(sorted(targets))}" if targets else ""),
    )


@dataclass(frozen=True, eq=False)
class Propagator:
    """The network prepared for repeated cascades.

    A slot is one (buyer, input type) pair. Sparse aggregation matrices carry link values to
    slots, slots to buyers and unsold link values to suppliers; levels are n × b matrices, one
    column per cascade, so many cascades run at once.
    """

    network: Network
    links_to_slots: sp.csr_matrix  # slots × links
    slots_to_firms: sp.csr_matrix  # n × slots
    links_to_suppliers: sp.csr_matrix  # n × links
    slot_total: FloatArray
    linear_share: FloatArray  # Pi_jk / Pi_j for non-essential slots, 0 for essential or irrelevant
    output: FloatArray
    ess_order: IntArray  # essential slots sorted by buyer
    ess_starts: IntArray
    ess_buyers: IntArray
    #: supplier replaceability: each firm's sector (its market) and network sales; None: off
    market: IntArray | None = None
    strength: FloatArray | None = None

    @classmethod
    def of(cls, network: Network, replaceability: bool = False) -> Propagator:
        n, m = network.n_firms, network.n_links
        types = {p: t for t, p in enumerate(sorted(set(network.product)))} or {"": 0}
        kind = np.fromiter((types[p] for p in network.product), np.int64, m)
        unique, slot = np.unique(network.buyer * len(types) + kind, return_inverse=True)
        slot = slot.reshape(-1).astype(np.int64)
        slot_buyer = (unique // len(types)).astype(np.int64)
        k = unique.size
        slot_total = np.bincount(slot, weights=network.value, minlength=k).astype(np.float64)
        constraining = network.essential & network.relevant
        essential = np.bincount(slot, weights=constraining.astype(float), minlength=k) > 0
        relevant = np.bincount(slot, weights=network.relevant.astype(float), minlength=k) > 0
        inputs = np.bincount(slot_buyer, weights=slot_total, minlength=n)
        share = np.divide(
            slot_total, inputs[slot_buyer], out=np.zeros(k), where=inputs[slot_buyer] > 0
        )
        ess = np.flatnonzero(essential)
        ess = ess[np.argsort(slot_buyer[ess], kind="stable")]
        ess_buyers, ess_starts = np.unique(slot_buyer[ess], return_index=True)
        sales = np.bincount(network.supplier, weights=network.value, minlength=n)
        ones = np.ones(m)
        return cls(
            network=network,
            links_to_slots=sp.csr_matrix((ones, (slot, np.arange(m))), shape=(k, m)),
            slots_to_firms=sp.csr_matrix((np.ones(k), (slot_buyer, np.arange(k))), shape=(n, k)),
            links_to_suppliers=sp.csr_matrix(
                (ones, (network.supplier, np.arange(m))), shape=(n, m)
            ),
            slot_total=slot_total,
            linear_share=np.where(essential | ~relevant, 0.0, share),
            output=np.maximum(np.maximum(network.output, sales), 1e-300),
            ess_order=ess.astype(np.int64),
            ess_starts=ess_starts.astype(np.int64),
            ess_buyers=ess_buyers.astype(np.int64),
            market=(
                np.unique(np.array(network.sectors, dtype=object), return_inverse=True)[1]
                .reshape(-1)
                .astype(np.int64)
                if replaceability
                else None
            ),
            strength=sales.astype(np.float64) if replaceability else None,
        )

    def irreplaceable(self, h: FloatArray) -> FloatArray:
        """The share σ of each supplier's lost deliveries that its buyers cannot replace (n × b):
        its sales over the sales its sector can still make, at most 1 (Diem et al. 2022); all
        1 without replaceability."""
        if self.market is None or self.strength is None:
            return np.ones_like(h)
        s = self.strength[:, None]
        available = np.zeros((int(self.market.max()) + 1, h.shape[1]))
        np.add.at(available, self.market, s * h)
        available = np.where(available > 1e-10, available, 1.0)
        return np.minimum(1.0, s / available[self.market])

    def step(
        self,
        h: FloatArray,
        keep: FloatArray,
        upstream: bool = True,
        downstream: bool = True,
        sold: FloatArray | None = None,
    ) -> FloatArray:
        """One update of the levels ``h`` (n × b) given each link's delivered share ``keep``
        and sold share ``sold`` (m; default ``keep``): both sides, or the supply side
        (``upstream=False``) or the demand side (``downstream=False``) alone."""
        net = self.network
        sold = keep if sold is None else sold
        if not downstream:
            unsold = (1.0 - h[net.buyer] * sold[:, None]) * net.value[:, None]
            missing = np.asarray(self.links_to_suppliers @ unsold)
            only_up: FloatArray = np.clip(1.0 - missing / self.output[:, None], 0.0, 1.0)
            return only_up
        sigma = self.irreplaceable(h)[net.supplier]
        lost = sigma * (1.0 - h[net.supplier] * keep[:, None]) * net.value[:, None]
        remaining = np.asarray(self.links_to_slots @ (net.value[:, None] - lost))
        total = self.slot_total[:, None]
        s = np.divide(remaining, total, out=np.ones_like(remaining), where=total > 0)
        down = np.ones_like(h)
        if self.ess_order.size:
            down[self.ess_buyers] = np.minimum.reduceat(s[self.ess_order], self.ess_starts, axis=0)
        linear = np.asarray(self.slots_to_firms @ ((1.0 - s) * self.linear_share[:, None]))
        down = np.minimum(down, 1.0 - linear)
        if upstream:
            unsold = (1.0 - h[net.buyer] * sold[:, None]) * net.value[:, None]
            missing = np.asarray(self.links_to_suppliers @ unsold)
            down = np.minimum(down, 1.0 - missing / self.output[:, None])
        result: FloatArray = np.clip(down, 0.0, 1.0)
        return result


def propagate(
    network: Network | Propagator,
    shock: Shock,
    *,
    tol: float = 1e-9,
    max_iter: int = 10_000,
    upstream: bool = True,
    model: str = "published",
    replaceability: bool = False,
) -> Impact:
    """Run the cascade from ``shock`` to its fixed point (see the module docstring).

    Parameters
    ----------
    network : Network or Propagator
        The network (or it prepared for repeated cascades).
    shock : Shock
        The initial levels and cut links.
    tol : float
        Stop when no level moves by more than this.
    max_iter : int
        The iteration limit.
    upstream : bool
        False switches the demand side off (supply shortages only).
    model : str
        ``coupled`` (both sides in every step) or ``published`` (each side its own cascade,
        the lower level taken at the end; see :data:`MODELS`).
    replaceability : bool
        Lost suppliers replaced by others of their sector in proportion to their market shares
        (see :meth:`Propagator.irreplaceable`); ignored when ``network`` is already prepared.

    Returns
    -------
    Impact
        The final levels, the share of total output lost and the iterations used.

    Raises
    ------
    NotConverged
        Rather than return a partial answer.

    Examples
    --------
    The refiner R fails: the makers P and Q lose their essential chemicals; upstream, the mine
    M loses its sales to R (20 of 100). Loss (0.2 + 1 + 1 + 1) / 5 = 0.64. Coupled, P's stop
    also costs U its sales to P (10 of 100): (0.2 + 1 + 0.1 + 1 + 1) / 5 = 0.66.

    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> impact = propagate(net, firm_failure(net, {"R": 0.0}))
    >>> impact.h.round(3), round(impact.loss, 4)
    (array([0.8, 0. , 1. , 0. , 0. ]), 0.64)
    >>> round(propagate(net, firm_failure(net, {"R": 0.0}), model="coupled").loss, 4)
    0.66

    References
    ----------
    Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022), Quantifying firm-level
    economic systemic risk from nation-wide supply networks, *Scientific Reports* 12:7719.
    """
    prop = network if isinstance(network, Propagator) else Propagator.of(network, replaceability)
    keep, sold = shock.kept()
    h0 = shock.h0.astype(float)[:, None]
    sides = _sides(model, upstream)
    levels, iterations = [], 0
    for up, down in sides:
        h, used = _settle(prop, h0, keep, up, down, tol, max_iter, sold)
        levels.append(h)
        iterations += used
    final = np.minimum.reduce(levels)[:, 0]
    return Impact(final, _loss(prop, final), iterations, shock)


def _sides(model: str, upstream: bool = True) -> list[tuple[bool, bool]]:
    """The cascades a model runs, as (upstream, downstream) switches of :meth:`Propagator.step`."""
    if model not in MODELS:
        raise InputError("model {model!r}", values={"model": model}, expected=" or ".join(MODELS))
    if model == "coupled" or not upstream:
        return [(upstream, True)]
    return [(False, True), (True, False)]


def _settle(
    prop: Propagator,
    h0: FloatArray,
    keep: FloatArray,
    upstream: bool,
    downstream: bool,
    tol: float,
    max_iter: int,
    sold: FloatArray | None = None,
) -> tuple[FloatArray, int]:
    """Iterate ``h <- min(h0, step(h))`` from ``h0`` until no level moves by more than ``tol``."""
    h = h0.copy()
    for iteration in range(1, max_iter + 1):
        new = np.minimum(h0, prop.step(h, keep, upstream, downstream, sold))
        if np.max(np.abs(new - h), initial=0.0) <= tol:
            return new, iteration
        h = new
    raise NotConverged(f"the cascade did not converge in {max_iter} iterations (tolerance {tol})")


def _loss(prop: Propagator, h: FloatArray) -> float:
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
    model: str = "published",
    replaceability: bool = False,
) -> np.ndarray:
    """The economic systemic risk index of ``firms``: the share of total output lost when each
    fails alone (the reference implementation; :func:`~econsec.network.systemic.scan_esri` is
    the fast certified scan).

    Parameters
    ----------
    network : Network
        The network.
    firms : ndarray of int, optional
        Firm indices (default: all).
    batch : int
        Cascades run ``batch`` at a time as columns of one level matrix.
    tol, max_iter : float, int
        As in :func:`propagate`.
    progress : callable, optional
        Called with (done, total) after each batch.
    model : str
        ``coupled`` or ``published`` (see :func:`propagate`).
    replaceability : bool
        Supplier replaceability (see :meth:`Propagator.irreplaceable`).

    Returns
    -------
    ndarray
        ESRI of each firm, in [0, 1].

    Raises
    ------
    NotConverged
        When a cascade does not settle.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> esri(net).round(4)
    array([0.8  , 0.64 , 0.25 , 0.292, 0.212])
    >>> esri(net, model="coupled").round(4)
    array([0.82  , 0.66  , 0.2847, 0.3589, 0.2329])

    References
    ----------
    Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022), Quantifying firm-level
    economic systemic risk from nation-wide supply networks, *Scientific Reports* 12:7719.
    """
    prop = Propagator.of(network, replaceability)
    todo = np.arange(network.n_firms) if firms is None else np.asarray(firms)
    out = np.zeros(todo.size)
    keep = np.ones(network.n_links)
    x = network.output
    sides = _sides(model)
    for start in range(0, todo.size, batch):
        chunk = todo[start : start + batch]
        h0 = np.ones((network.n_firms, chunk.size))
        h0[chunk, np.arange(chunk.size)] = 0.0
        try:
            final = np.minimum.reduce(
                [_settle(prop, h0, keep, up, down, tol, max_iter)[0] for up, down in sides]
            )
        except NotConverged:
            raise NotConverged(
                f"an ESRI cascade did not converge in {max_iter} iterations"
            ) from None
        out[start : start + chunk.size] = x @ (1.0 - final) / x.sum()
        if progress is not None:
            progress(min(start + batch, todo.size), todo.size)
    return out
