"""Multi-tier exposure and single points of failure.

Input shares :math:`B_{ij} = W_{ij} / \\Pi_j` (share of firm j's inputs bought from i). Firm j's
dependence on country c through any number of tiers is the share of its input value whose
supply chain reaches a firm in c, counting a chain once, at the first firm in c it meets:

.. math::

    d_j(c) = \\sum_i B_{ij} \\, [\\, r_i(c) + (1 - r_i(c))\\, d_i(c) \\,], \\qquad
    r_i(c) = 1 \\text{ if firm i is in } c,

a sparse linear system per country. The tier-1 share is :math:`t_j(c) = \\sum_i B_{ij} r_i(c)`
and the exposure hidden beyond tier 1 is :math:`d_j(c) - t_j(c)`. The supply paths that explain
most of :math:`d_j(c)` are found best-first, a path weighing the product of its shares.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from econsec.errors import InputError
from econsec.network.model import Network

__all__ = [
    "CountryExposure",
    "SharedSupplier",
    "SupplyPath",
    "articulation_points",
    "dominators",
    "exposure",
    "hidden_dependence",
    "input_shares",
    "shared_suppliers",
]


def input_shares(network: Network) -> sp.csr_matrix:
    """Input shares :math:`B = W \\hat{\\Pi}^{-1}`: each column the shares of a buyer's inputs.

    Parameters
    ----------
    network : Network
        The network.

    Returns
    -------
    scipy.sparse.csr_matrix
        n × n; ``B[i, j]`` the share of j's inputs bought from i.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> input_shares(net).toarray()[:, 3]  # P: 30 of 40 from R, 10 from U
    array([0.  , 0.75, 0.25, 0.  , 0.  ])
    """
    W = network.W()
    inputs = np.asarray(W.sum(axis=0)).ravel()
    return sp.csr_matrix(
        W @ sp.diags(np.divide(1.0, inputs, out=np.zeros_like(inputs), where=inputs > 0))
    )


@dataclass(frozen=True, slots=True)
class SupplyPath:
    """A chain of firm ids from the firm's supplier up to a firm in the country, and its weight."""

    firms: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class CountryExposure:
    """A firm's dependence on one country."""

    country: str
    tier1: float
    any_tier: float
    paths: tuple[SupplyPath, ...]

    @property
    def hidden(self) -> float:
        return max(self.any_tier - self.tier1, 0.0)


def hidden_dependence(network: Network, country: str) -> tuple[np.ndarray, np.ndarray]:
    """How much of every firm's inputs depends on ``country``, directly and through any tier.

    The any-tier share d solves :math:`d = B^\\top r + B^\\top \\mathrm{diag}(1 - r) d` with
    :math:`r` the indicator of the country's firms (a sparse solve).

    Parameters
    ----------
    network : Network
        The network.
    country : str
        ISO alpha-3.

    Returns
    -------
    (ndarray, ndarray)
        The tier-1 share and the any-tier share of each firm's inputs.

    Examples
    --------
    P buys 75 % of its inputs from R (KOR), which buys all of its input from M (CHN): P
    depends on China for 0 % at tier 1 and 75 % through its suppliers.

    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> tier1, any_tier = hidden_dependence(net, "CHN")
    >>> float(tier1[3]), float(any_tier[3])
    (0.0, 0.75)
    """
    B = input_shares(network)
    r = (np.array(network.countries) == country).astype(float)
    t = B.T @ r
    through = sp.csr_matrix(sp.diags(1.0 - r) @ B)
    M = sp.identity(network.n_firms, format="csc") - through.T.tocsc()
    d = spla.splu(M).solve(t)
    return np.asarray(t, float), np.clip(np.asarray(d, float), 0.0, 1.0)


def _paths(
    network: Network,
    B: sp.csr_matrix,
    firm: int,
    country: str,
    limit: int,
    max_depth: int = 12,
    min_weight: float = 1e-4,
) -> tuple[SupplyPath, ...]:
    Bc = sp.csc_matrix(B)
    countries = network.countries
    found: list[SupplyPath] = []
    heap: list[tuple[float, tuple[int, ...]]] = [(-1.0, (firm,))]
    expanded = 0
    while heap and len(found) < limit and expanded < 50_000:
        negative, path = heapq.heappop(heap)
        expanded += 1
        head = path[-1]
        start, end = Bc.indptr[head], Bc.indptr[head + 1]
        for supplier, share in zip(Bc.indices[start:end], Bc.data[start:end], strict=True):
            weight = -negative * share
            if weight < min_weight or supplier in path:
                continue
            if countries[supplier] == country:
                found.append(
                    SupplyPath(
                        tuple(network.firm_ids[i] for i in (*path[1:], supplier)), float(weight)
                    )
                )
            elif len(path) <= max_depth:
                heapq.heappush(heap, (-weight, (*path, int(supplier))))
    return tuple(sorted(found, key=lambda p: -p.weight)[:limit])


def exposure(network: Network, firm_id: str, *, paths: int = 5) -> tuple[CountryExposure, ...]:
    """A firm's dependence on every country its supply chains reach, largest first, with the
    main supply paths behind each.

    Parameters
    ----------
    network : Network
        The network.
    firm_id : str
        The firm.
    paths : int
        Supply paths listed per country.

    Returns
    -------
    tuple of CountryExposure

    Raises
    ------
    NotFoundError
        For an unknown firm.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> [(e.country, e.tier1, e.any_tier, e.paths[0].firms) for e in exposure(net, "P")]
    [('CHN', 0.0, 0.75, ('R', 'M')), ('KOR', 0.75, 0.75, ('R',)), ('USA', 0.25, 0.25, ('U',))]
    """
    j = network.index(firm_id)
    B = input_shares(network)
    # countries upstream of the firm
    upstream = nx.ancestors(_graph(network), j)
    out = []
    for country in sorted({network.countries[i] for i in upstream}):
        t, d = hidden_dependence(network, country)
        if d[j] <= 0:
            continue
        out.append(
            CountryExposure(
                country, float(t[j]), float(d[j]), _paths(network, B, j, country, paths)
            )
        )
    return tuple(sorted(out, key=lambda e: (-e.any_tier, e.country)))


def _graph(network: Network) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(network.n_firms))
    g.add_edges_from(zip(network.supplier.tolist(), network.buyer.tolist(), strict=True))
    return g


def dominators(
    network: Network, firm_id: str, *, country: str | None = None, product: str | None = None
) -> tuple[str, ...]:
    """Single points of failure: the firms through which every supply path from ``country`` (its
    firms) or from the suppliers of ``product`` to the firm passes, nearest first.

    Parameters
    ----------
    network : Network
        The network.
    firm_id : str
        The firm.
    country, product : str, optional
        Give one: the origin of the paths.

    Returns
    -------
    tuple of str
        Firm ids (networkx's immediate dominators).

    Raises
    ------
    InputError
        When neither or both of ``country`` and ``product`` are given.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> dominators(net, "P", country="CHN")
    ('R',)
    """
    if (country is None) == (product is None):
        raise InputError("give a country or a product, not both or neither")
    j = network.index(firm_id)
    g = _graph(network)
    if country is not None:
        sources = [i for i in range(network.n_firms) if network.countries[i] == country and i != j]
    else:
        sources = sorted(
            {int(s) for s, p in zip(network.supplier, network.product, strict=True) if p == product}
        )
    root = -1
    g.add_edges_from((root, s) for s in sources)
    if j not in nx.descendants(g, root):
        return ()
    idom = nx.immediate_dominators(g, root)
    chain = []
    node = idom[j]
    source_set = set(sources)
    while node != root:
        if node not in source_set:  # a lone source firm dominates trivially
            chain.append(network.firm_ids[node])
        node = idom[node]
    return tuple(chain)


def articulation_points(network: Network) -> tuple[str, ...]:
    """Firms whose removal splits the supply network (ignoring link direction) into more parts.

    Parameters
    ----------
    network : Network
        The network.

    Returns
    -------
    tuple of str
        Firm ids, sorted.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> articulation_points(net)
    ('P', 'R')
    """
    g = _graph(network).to_undirected()
    return tuple(sorted(network.firm_ids[i] for i in nx.articulation_points(g)))


@dataclass(frozen=True, slots=True)
class SharedSupplier:
    """A supplier that ``n_firms`` focal firms depend on, ``n_hidden`` of them beyond tier 1."""

    firm_id: str
    country: str
    n_firms: int
    n_hidden: int


def shared_suppliers(
    network: Network, *, focal: np.ndarray | None = None, min_firms: int = 2
) -> list[SharedSupplier]:
    """Suppliers on which several focal firms depend, and how many of them only indirectly
    (beyond tier 1, without knowing it).

    Parameters
    ----------
    network : Network
        The network.
    focal : ndarray of int, optional
        The focal firms (default: those with no customers).
    min_firms : int
        Report suppliers of at least this many focal firms.

    Returns
    -------
    list of SharedSupplier
        Most hidden first.

    Examples
    --------
    >>> from econsec.network import example_network
    >>> net = example_network()
    >>> shared_suppliers(net)[0]
    SharedSupplier(firm_id='M', country='CHN', n_firms=2, n_hidden=2)
    """
    n = network.n_firms
    if focal is None:
        has_customer = np.bincount(network.supplier, minlength=n) > 0
        focal = np.flatnonzero(~has_customer)
    up = sp.csr_matrix((np.ones(network.n_links), (network.buyer, network.supplier)), shape=(n, n))
    direct = {int(f): set(up[f].indices.tolist()) for f in focal}
    counts: dict[int, list[int]] = {}
    for f in focal:
        order = sp.csgraph.breadth_first_order(up, int(f), directed=True, return_predecessors=False)
        for s in order[1:]:
            entry = counts.setdefault(int(s), [0, 0])
            entry[0] += 1
            if int(s) not in direct[int(f)]:
                entry[1] += 1
    rows = [
        SharedSupplier(network.firm_ids[s], network.countries[s], total, hidden)
        for s, (total, hidden) in counts.items()
        if total >= min_firms
    ]
    return sorted(rows, key=lambda r: (-r.n_hidden, -r.n_firms, r.firm_id))
