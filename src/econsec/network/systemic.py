"""The ESRI of many firms at once, each with a certified error bound (compiled with Numba).

The cascade of :mod:`econsec.network.cascade` is the map :math:`G(h) = \\min(h^0, T(h))`, monotone
in :math:`h`, and the cascade's result is its largest fixed point :math:`h^*` below :math:`h^0`.
Two facts make a fast scan with a proof of its accuracy possible:

* **From above.** Gauss-Seidel sweeps (each firm updated in place from the current levels of its
  suppliers and customers) started at :math:`h^0` decrease to :math:`h^*` and never pass it, so
  the loss of the current levels :math:`h` is a lower bound of the true loss.
* **From below.** Any :math:`y \\le h^0` with :math:`y \\le G(y)` lies below :math:`h^*` (by
  induction, every iterate from :math:`h^0` stays above :math:`y`), so its loss is an upper
  bound. The scan proposes :math:`y = \\max(0, h - \\alpha (h' - h))`, the levels :math:`h`
  pushed past their predicted limit along the last sweep's change :math:`h' - h`, with
  :math:`\\alpha = (1 + m) \\mu / (1 - \\mu)` for the observed convergence rate :math:`\\mu`
  (ratio of the last two loss increments) and margin :math:`m`, and checks :math:`y \\le G(y)` in
  one pass.

A cascade stops when the two bounds are within ``2 tol``; the reported ESRI is their midpoint, so
its error is at most ``tol`` (up to floating-point rounding: the check allows
:data:`ROUNDING` per level). The map is evaluated for a batch of cascades at once: levels are an
n × b matrix with the b cascades of a firm next to each other, so each link is read once per
sweep for all b cascades; a finished cascade's column is reused for the next firm. A sweep
updates the supply side with suppliers before buyers (shortages travel in one pass), then the
demand side with buyers before suppliers (lost demand travels in one pass). Each side alone is
an upper bound of :math:`T`, so these half updates keep the levels above :math:`h^*`, and their
limit is :math:`h^*`; the check uses the whole map.

The published rule (the default; see :mod:`econsec.network.cascade`) runs on a doubled network
whose rows are each firm's supply and demand cascades, a monotone map again, so both bounds
carry over; supplier replaceability keeps the map monotone too. A cascade not certified within
``max_sweeps`` reports the bounds it has, never an error (``EsriScan.certified``).

Cascades of different firms are independent: :func:`scan_esri` splits the firms over threads;
:func:`esri_spark` fans them out over Spark executors.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from econsec.errors import InputError
from econsec.network.cascade import MODELS, Propagator
from econsec.network.model import Network

__all__ = [
    "ROUNDING",
    "Compiled",
    "EsriScan",
    "compile_network",
    "esri_spark",
    "scan_esri",
    "supply_order",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ROUNDING = 1e-13  # allowance per level in the check y <= G(y), for floating-point rounding
MARGIN = 0.5  # how far past the predicted limit the lower levels are pushed
CHECK_EVERY = 4  # sweeps between checks of the lower levels
MAX_SWEEPS = 10_000  # sweeps per cascade before its bounds are reported as they are


@dataclass(frozen=True, eq=False)
class Compiled:
    """The network as flat arrays for the compiled kernel.

    Links are grouped by input slot (one slot per buyer and input type, slots by buyer) and, a
    second time, by supplier; ``order`` lists firms suppliers first.
    """

    output: FloatArray  # x_j, for the loss
    capacity: FloatArray  # max(output, network sales): the denominator of the demand side
    order: IntArray
    slot_ptr: IntArray  # slots of firm j: slot_ptr[j] .. slot_ptr[j + 1]
    slot_link_ptr: IntArray  # links of slot s: slot_link_ptr[s] .. slot_link_ptr[s + 1]
    link_supplier: IntArray
    link_value: FloatArray
    slot_total: FloatArray
    slot_essential: npt.NDArray[np.bool_]
    slot_share: FloatArray  # Pi_jk / Pi_j for non-essential slots
    out_ptr: IntArray  # links sold by firm i: out_ptr[i] .. out_ptr[i + 1]
    out_buyer: IntArray
    out_value: FloatArray
    #: published rule: row j + n is firm j's demand cascade, twin of row j (its supply cascade);
    #: -1 everywhere for the coupled rule (one row per firm)
    twin: IntArray
    #: supplier replaceability: each row's market (its firm's sector; -1: none) and sales
    market: IntArray
    strength: FloatArray
    model: str  # published or coupled

    @property
    def n_firms(self) -> int:
        return int(self.output.size if self.model == "coupled" else self.output.size // 2)

    def arrays(self) -> tuple[npt.NDArray[Any], ...]:
        return (
            self.order,
            self.output,
            self.capacity,
            self.slot_ptr,
            self.slot_link_ptr,
            self.link_supplier,
            self.link_value,
            self.slot_total,
            self.slot_essential,
            self.slot_share,
            self.out_ptr,
            self.out_buyer,
            self.out_value,
            self.twin,
            self.market,
            self.strength,
        )


@dataclass(frozen=True, eq=False)
class EsriScan:
    """ESRI of ``firms`` (indices); the true value is within ``bound`` of ``esri``."""

    firms: IntArray
    esri: FloatArray
    bound: FloatArray
    sweeps: IntArray  # Gauss-Seidel sweeps each cascade needed
    tol: float = 0.0  # the tolerance asked for

    @property
    def certified(self) -> npt.NDArray[np.bool_]:
        """Whether each value is within the tolerance asked for (otherwise only its bounds
        ``esri ± bound`` are certain: the cascade ran out of sweeps)."""
        return np.asarray(self.bound <= self.tol)


def _pointers(groups: IntArray, size: int) -> IntArray:
    return np.concatenate(([0], np.cumsum(np.bincount(groups, minlength=size)))).astype(np.int64)


def supply_order(network: Network) -> IntArray:
    """Firms ordered suppliers before buyers, strongly connected groups kept together (condensed,
    then ordered by Kahn's algorithm): the order of the scan's forward sweeps.

    Parameters
    ----------
    network : Network
        The network.

    Returns
    -------
    ndarray of int
        Firm indices.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> [net.firm_ids[i] for i in supply_order(net)]
    ['M', 'U', 'R', 'Q', 'P']
    """
    n = network.n_firms
    graph = sp.csr_matrix(
        (np.ones(network.n_links), (network.supplier, network.buyer)), shape=(n, n)
    )
    k, label = sp.csgraph.connected_components(graph, directed=True, connection="strong")
    across = label[network.supplier] != label[network.buyer]
    edges = np.unique(
        np.stack([label[network.supplier][across], label[network.buyer][across]]), axis=1
    )
    depth = np.zeros(k, np.int64)
    indegree = np.bincount(edges[1], minlength=k)
    by_source = np.argsort(edges[0], kind="stable")
    ptr = _pointers(edges[0], k)
    targets = edges[1][by_source]
    frontier = np.flatnonzero(indegree == 0)
    level = 0
    while frontier.size:  # Kahn's algorithm, one level of the condensed graph at a time
        depth[frontier] = level
        reached = np.concatenate([targets[ptr[c] : ptr[c + 1]] for c in frontier] or [targets[:0]])
        np.subtract.at(indegree, reached, 1)
        frontier = np.unique(reached[indegree[reached] == 0])
        level += 1
    return np.lexsort((np.arange(n), label, depth[label])).astype(np.int64)


def compile_network(
    network: Network, model: str = "published", replaceability: bool = False
) -> Compiled:
    """Flatten a network for :func:`scan_esri` (done once; reuse it for many scans).

    For the published rule (see :mod:`econsec.network.cascade`) every firm has two rows of
    levels: row j its supply cascade, with its input slots and no sales, and row j + n its demand
    cascade, with its sales and no input slots. The scan's one monotone map on these 2n rows is
    then the two cascades side by side, and its loss takes each firm's lower level.

    Parameters
    ----------
    network : Network
        The network.
    model : str
        ``coupled`` or ``published``.
    replaceability : bool
        Supplier replaceability (see :meth:`~econsec.network.cascade.Propagator.irreplaceable`).

    Returns
    -------
    Compiled

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> compile_network(net, "coupled").output
    array([100., 100., 100., 100., 100.])
    >>> compile_network(net).twin.tolist()  # published: each firm's two rows
    [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]
    """
    if model not in MODELS:
        raise InputError("model {model!r}", values={"model": model}, expected=" or ".join(MODELS))
    prop = Propagator.of(network, replaceability)
    n = network.n_firms
    coo = prop.links_to_slots.tocoo()
    slot = np.empty(network.n_links, np.int64)
    slot[coo.col] = coo.row  # the slot of each link
    by_slot = np.argsort(slot, kind="stable")
    by_supplier = np.argsort(network.supplier, kind="stable")
    essential = np.zeros(prop.slot_total.size, bool)
    essential[prop.ess_order] = True
    slot_ptr = _pointers(prop.slots_to_firms.tocoo().row, n)
    out_ptr = _pointers(network.supplier, n)
    output = network.output.astype(np.float64)
    order = supply_order(network)
    out_buyer = network.buyer[by_supplier].astype(np.int64)
    twin = np.full(n, -1, np.int64)
    capacity = prop.output
    market = np.full(n, -1, np.int64) if prop.market is None else prop.market
    strength = np.zeros(n) if prop.strength is None else prop.strength
    if model == "published":
        slot_ptr = np.concatenate([slot_ptr, np.full(n, slot_ptr[-1], np.int64)])
        out_ptr = np.concatenate([np.zeros(n, np.int64), out_ptr])
        output, capacity = np.tile(output, 2), np.tile(capacity, 2)
        order = np.concatenate([order, order + n])
        out_buyer = out_buyer + n
        twin = np.concatenate([np.arange(n, 2 * n), np.arange(n)]).astype(np.int64)
        market = np.concatenate([market, np.full(n, -1, np.int64)])  # the supply side's levels
        strength = np.concatenate([strength, np.zeros(n)])
    return Compiled(
        output=output,
        capacity=capacity,
        order=order,
        slot_ptr=slot_ptr,
        slot_link_ptr=_pointers(slot, prop.slot_total.size),
        link_supplier=network.supplier[by_slot].astype(np.int64),
        link_value=network.value[by_slot].astype(np.float64),
        slot_total=prop.slot_total,
        slot_essential=essential,
        slot_share=prop.linear_share,
        out_ptr=out_ptr,
        out_buyer=out_buyer,
        out_value=network.value[by_supplier].astype(np.float64),
        twin=twin,
        market=market,
        strength=strength.astype(np.float64),
        model=model,
    )


_KERNEL: Any = None


def _kernel() -> Any:
    """The compiled scan (Numba, cached on disk), imported on first use."""
    global _KERNEL
    if _KERNEL is None:
        from econsec.network.sweeps import scan

        _KERNEL = scan
    return _KERNEL


def _run(
    c: Compiled, firms: IntArray, tol: float, batch: int, budget: int
) -> tuple[FloatArray, ...]:
    result, bound, sweeps = _kernel()(
        firms, min(batch, max(firms.size, 1)), tol, MARGIN, ROUNDING, CHECK_EVERY, budget,
        *c.arrays(),
    )  # fmt: skip
    return result, bound, sweeps


def scan_esri(
    network: Network | Compiled,
    firms: IntArray | None = None,
    *,
    tol: float = 1e-6,
    threads: int | None = None,
    batch: int = 128,
    piece: int = 4096,
    progress: Callable[[int, int], None] | None = None,
    model: str = "published",
    replaceability: bool = False,
    max_sweeps: int = MAX_SWEEPS,
) -> EsriScan:
    """ESRI of ``firms``, each within a certified bound of its true value (see
    docs/networks.md): batched Gauss-Seidel sweeps give a lower bound of the loss, levels pushed
    past the predicted limit and checked for :math:`y \\le G(y)` an upper bound.

    Parameters
    ----------
    network : Network or Compiled
        The network (or it compiled once).
    firms : ndarray of int, optional
        Firm indices (default: all).
    tol : float
        The largest error allowed in each value.
    threads : int, optional
        Threads (default: one per core).
    batch : int
        Cascades run side by side.
    piece : int
        Firms per unit of work.
    progress : callable, optional
        Called with (done, total) after each piece.
    model : str
        ``published`` or ``coupled`` (see :mod:`econsec.network.cascade`); a compiled network
        keeps the model it was compiled for.
    replaceability : bool
        Supplier replaceability (likewise).
    max_sweeps : int
        Sweeps per cascade; a cascade not certified within ``tol`` by then reports the bounds
        it has (``EsriScan.certified`` says which).

    Returns
    -------
    EsriScan
        ``esri`` and ``bound`` for each firm, and the sweeps each cascade needed.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> scan = scan_esri(net, tol=1e-9)
    >>> scan.esri.round(4), bool(scan.bound.max() <= 1e-9)
    (array([0.8  , 0.64 , 0.25 , 0.292, 0.212]), True)

    References
    ----------
    Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022), Quantifying firm-level
    economic systemic risk from nation-wide supply networks, *Scientific Reports* 12:7719.
    """
    c = (
        network
        if isinstance(network, Compiled)
        else compile_network(network, model, replaceability)
    )
    todo = np.arange(c.n_firms, dtype=np.int64) if firms is None else np.asarray(firms, np.int64)
    pieces = [todo[s : s + piece] for s in range(0, todo.size, piece)]
    parts: list[tuple[FloatArray, ...]] = []
    _run(c, todo[:1], tol, batch, max_sweeps)  # compile once before the threads start
    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        for done, part in zip(
            itertools.accumulate(p.size for p in pieces),
            pool.map(lambda p: _run(c, p, tol, batch, max_sweeps), pieces),
            strict=True,
        ):
            parts.append(part)
            if progress is not None:
                progress(done, todo.size)
    esri, bound, sweeps = (
        np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(3)
    )
    return EsriScan(todo, esri, bound, sweeps.astype(np.int64), tol)


def esri_spark(
    network: Network,
    spark: Any,
    *,
    tol: float = 1e-6,
    partitions: int = 8,
    batch: int = 128,
    model: str = "published",
    replaceability: bool = False,
) -> EsriScan:
    """ESRI of every firm with the firms spread over Spark executors (the network is broadcast):
    the same certified scan as :func:`scan_esri`.

    Parameters
    ----------
    network : Network
        The network.
    spark : pyspark.sql.SparkSession
        A session (local mode or a cluster).
    tol : float
        The largest error allowed in each value.
    partitions : int
        Units of work.
    batch : int
        Cascades run side by side in each.
    model : str
        ``published`` or ``coupled``.
    replaceability : bool
        Supplier replaceability.

    Returns
    -------
    EsriScan

    Examples
    --------
    Not a doctest, as a Spark session takes seconds to start; ``tests/network/test_systemic.py``
    runs this in local mode and checks it against :func:`scan_esri`::

        from pyspark.sql import SparkSession
        scan = esri_spark(example_network(), SparkSession.builder.getOrCreate())
    """
    c = compile_network(network, model, replaceability)
    shared = spark.sparkContext.broadcast(c)
    n = c.n_firms
    bounds = np.linspace(0, n, partitions + 1).astype(int)
    ranges = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]

    def work(part: Any) -> Any:
        for a, b in part:
            parts = _run(shared.value, np.arange(a, b, dtype=np.int64), tol, batch, MAX_SWEEPS)
            yield a, [p.tolist() for p in parts]

    out = np.zeros((3, n))
    for a, parts in (
        spark.sparkContext.parallelize(ranges, len(ranges)).mapPartitions(work).collect()
    ):
        for i, values in enumerate(parts):
            out[i, a : a + len(values)] = values
    return EsriScan(np.arange(n, dtype=np.int64), out[0], out[1], out[2].astype(np.int64), tol)
