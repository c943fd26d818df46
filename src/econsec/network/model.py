"""Firm-level supply networks: firms, supplier -> buyer links, and essentiality.

A network is stored as arrays (firm index 0..n-1, link index 0..m-1) so that algorithms work on
``scipy.sparse`` matrices; firm ids, names, countries and sectors are kept for people.

``W`` is the n × n matrix of annual link values, ``W[i, j]`` = value supplied by firm i to firm j.
Each link has an input type (its HS6 product, or the supplier's sector when no product is given)
and an ``essential`` flag: an essential input limits the buyer's production (Leontief), a
non-essential one reduces it linearly (see :mod:`econsec.network.cascade`). A link that is not
``relevant`` (``irrelevant`` in the files) does not constrain its buyer's production at all, but
still counts in the buyer's inputs and carries lost demand upstream, as in the ESRI authors'
model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from econsec.errors import InputError, NotFoundError

__all__ = ["ESSENTIALITY_LEVELS", "Network", "example_network", "with_sector_essentiality"]

ESSENTIALITY_LEVELS = ("essential", "non-essential", "irrelevant")


@dataclass(frozen=True, eq=False)
class Network:
    """Firms and their supply links."""

    firm_ids: tuple[str, ...]
    names: tuple[str, ...]
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    output: np.ndarray  # annual output (sales) of each firm, same unit as link values
    supplier: np.ndarray  # int64, index of the supplying firm of each link
    buyer: np.ndarray  # int64, index of the buying firm of each link
    product: tuple[str, ...]  # input type of each link (HS6 code or sector)
    value: np.ndarray  # float64, annual value of each link
    essential: np.ndarray  # bool, whether each link is an essential input of its buyer
    source: str = "user data"
    #: bool, whether each link constrains its buyer's production (default: all do)
    relevant: np.ndarray = field(default_factory=lambda: np.ones(0, bool))
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._index:
            object.__setattr__(self, "_index", {f: i for i, f in enumerate(self.firm_ids)})
        if self.relevant.size != self.supplier.size:
            object.__setattr__(self, "relevant", np.ones(self.supplier.size, bool))

    @property
    def n_firms(self) -> int:
        return len(self.firm_ids)

    @property
    def n_links(self) -> int:
        return int(self.supplier.size)

    def index(self, firm_id: str) -> int:
        """The index of a firm; :class:`NotFoundError` when unknown."""
        try:
            return self._index[firm_id]
        except KeyError:
            raise NotFoundError(f"no firm {firm_id!r} in the network") from None

    def W(self) -> sp.csr_matrix:
        """Link values as a sparse n × n matrix, ``W[i, j]`` from supplier i to buyer j."""
        n = self.n_firms
        return sp.csr_matrix((self.value, (self.supplier, self.buyer)), shape=(n, n))


def with_sector_essentiality(network: Network, matrix: Mapping[tuple[str, str], str]) -> Network:
    """Set each link's essential flag from a (supplier sector, buyer sector) matrix.

    Parameters
    ----------
    network : Network
        The network.
    matrix : mapping of (str, str) to str
        ``essential``, ``non-essential`` or ``irrelevant`` by (supplier sector, buyer
        sector). Irrelevant links stay (they count in the buyer's inputs and carry lost demand)
        but constrain nothing; pairs missing from the matrix keep their flags.

    Returns
    -------
    Network

    Raises
    ------
    InputError
        For an unknown level.

    Examples
    --------
    >>> net = with_sector_essentiality(example_network(), {("C28", "C29"): "essential",
    ...                                                    ("B07", "C20"): "irrelevant"})
    >>> net.n_links, net.essential.tolist(), net.relevant.tolist()
    (4, [False, True, True, True], [False, True, True, True])
    """
    bad = {v for v in matrix.values() if v not in ESSENTIALITY_LEVELS}
    if bad:
        raise InputError(
            "unknown essentiality {v1}",
            values={"v1": sorted(bad)},
            expected=", ".join(ESSENTIALITY_LEVELS),
        )
    sectors = np.array(network.sectors, dtype=object)
    pairs = zip(sectors[network.supplier], sectors[network.buyer], strict=True)
    levels = [matrix.get((a, b)) for a, b in pairs]
    old = zip(levels, network.essential, network.relevant, strict=True)
    flags = [(lvl == "essential", lvl != "irrelevant") if lvl is not None else (bool(e), bool(r))
             for lvl, e, r in old]  # fmt: skip
    return replace(
        network,
        essential=np.array([e for e, _ in flags], dtype=bool),
        relevant=np.array([r for _, r in flags], dtype=bool),
    )


def example_network() -> Network:
    """The small chain of the documentation's examples: a mine M (CHN) sells ore (HS 261590) to
    a refiner R (KOR), which sells hydrogen fluoride (HS 281111) to two makers in Japan, P and
    Q; P also buys valves (HS 848180) from U (USA). Every firm's output is 100; P buys 30 of
    hydrogen fluoride (essential) and 10 of valves (non-essential), Q 5 of hydrogen fluoride,
    R 20 of ore.

    Returns
    -------
    Network

    Examples
    --------
    >>> net = example_network()
    >>> net.n_firms, net.n_links, net.countries
    (5, 4, ('CHN', 'KOR', 'USA', 'JPN', 'JPN'))
    """
    ids = ("M", "R", "U", "P", "Q")
    links = (("M", "R", "261590", 20.0, True), ("R", "P", "281111", 30.0, True),
             ("U", "P", "848180", 10.0, False), ("R", "Q", "281111", 5.0, True))  # fmt: skip
    index = {f: i for i, f in enumerate(ids)}
    return Network(
        firm_ids=ids,
        names=("Mine", "Refiner", "Parts maker", "Maker P", "Maker Q"),
        countries=("CHN", "KOR", "USA", "JPN", "JPN"),
        sectors=("B07", "C20", "C28", "C29", "C29"),
        output=np.full(len(ids), 100.0),
        supplier=np.array([index[s] for s, *_ in links], np.int64),
        buyer=np.array([index[b] for _, b, *_ in links], np.int64),
        product=tuple(p for _, _, p, _, _ in links),
        value=np.array([v for *_, v, _ in links], float),
        essential=np.array([e for *_, e in links], bool),
        source="example (documentation)",
    )
