"""Reading supply networks: ``firms.csv`` + ``links.csv``, Willems' real chains, the demo world.

``firms.csv``: ``firm_id,name,country,sector,output``; ``links.csv``:
``supplier_id,buyer_id,product,value,essential`` (``essential``: true/false, yes/no, 1/0, or
``irrelevant``: the input constrains nothing but counts in the buyer's inputs and carries lost
demand upstream; ``product`` may be left out or empty: the input is then the supplier's sector).
Errors name the file, line and column: a link to an unknown firm, a self-loop, a negative or
non-numeric value, a duplicate link (same supplier, buyer and product), a duplicate firm id, an
unknown country, a missing column.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import NotFoundError
from econsec.i18n import N_
from econsec.network.model import Network
from econsec.reference.countries import to_alpha3
from econsec.trade import fields
from econsec.trade.tablefile import TableFile, first_true, open_table

__all__ = ["FIRM_COLUMNS", "LINK_COLUMNS", "network_from_tables", "read_network", "read_willems"]

FIRM_COLUMNS = ("firm_id", "name", "country", "sector", "output")
LINK_COLUMNS = ("supplier_id", "buyer_id", "product", "value", "essential")
_TRUE = ("true", "yes", "1", "y", "t")
_FALSE = ("false", "no", "0", "n", "f", "")


def _read_all(
    tf: TableFile, names: tuple[str, ...], numeric: tuple[str, ...]
) -> dict[str, np.ndarray]:
    parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
    lines: list[np.ndarray] = []
    for batch in tf.batches():
        if batch.length == 0:
            continue
        for name in names:
            if name in numeric:
                parts[name].append(fields.numbers(tf, batch, name).to_numpy(zero_copy_only=False))
            else:
                parts[name].append(
                    np.asarray(
                        pc.utf8_trim_whitespace(batch.columns[name]).to_pylist(), dtype=object
                    )
                )
        lines.append(np.arange(batch.first, batch.first + batch.length))
    if not lines:
        raise tf.error(
            "the file has no data rows", expected=N_("a header line and at least one row")
        )
    out = {n: np.concatenate(v) for n, v in parts.items()}
    out["_line"] = np.concatenate(lines)
    return out


def read_network(firms: Path, links: Path) -> Network:
    """Read a network from ``firms.csv`` and ``links.csv`` (CSV or Parquet).

    Parameters
    ----------
    firms : pathlib.Path
        ``firm_id, name, country, sector, output``.
    links : pathlib.Path
        ``supplier_id, buyer_id, product, value, essential``.

    Returns
    -------
    Network

    Raises
    ------
    InputError
        Naming the file, line and column at fault and the expected form.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "firms.csv").write_text("firm_id,name,country,sector,output\\n"
    ...     "A,Mine,CHN,B07,10\\nB,Maker,Japan,C29,30\\n")
    >>> _ = (folder / "links.csv").write_text("supplier_id,buyer_id,product,value,essential\\n"
    ...     "A,B,ore,5,true\\n")
    >>> net = read_network(folder / "firms.csv", folder / "links.csv")
    >>> net.countries, net.essential
    (('CHN', 'JPN'), array([ True]))
    >>> _ = (folder / "links.csv").write_text("supplier_id,buyer_id,product,value,essential\\n"
    ...     "A,Z,ore,5,true\\n")
    >>> read_network(folder / "firms.csv", folder / "links.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    econsec.errors.InputError: ...links.csv, line 2, column 'buyer_id': unknown firm 'Z'...
    """
    ft = open_table(firms)
    ft.require(FIRM_COLUMNS, "firms.csv")
    f = _read_all(ft, FIRM_COLUMNS, ("output",))
    ids = f["firm_id"]
    if (bad := first_true(pa.array(ids == ""))) is not None:
        raise ft.error("missing firm_id", at=int(f["_line"][bad]), column="firm_id")
    seen: dict[str, int] = {}
    for k, firm in enumerate(ids):
        if firm in seen:
            raise ft.error(
                "firm_id {firm!r} appears twice (also line {v1})",
                values={"firm": firm, "v1": seen[firm]},
                at=int(f["_line"][k]),
                column="firm_id",
                expected=N_("unique firm ids"),
            )
        seen[firm] = int(f["_line"][k])
    countries = []
    for k, code in enumerate(f["country"]):
        try:
            countries.append(to_alpha3(code))
        except NotFoundError:
            raise ft.error(
                "unknown country {code!r}",
                values={"code": code},
                at=int(f["_line"][k]),
                column="country",
                expected=N_("an ISO 3166 alpha-3 code such as JPN"),
            ) from None
    lt = open_table(links)
    columns = tuple(c for c in LINK_COLUMNS if c != "product" or "product" in lt.columns)
    lt.require(columns, "links.csv")
    g = _read_all(lt, columns, ("value",))
    index = {firm: i for i, firm in enumerate(ids)}
    ends = []
    for column in ("supplier_id", "buyer_id"):
        positions = np.fromiter(
            (index.get(x, -1) for x in g[column]), dtype=np.int64, count=len(g[column])
        )
        if (bad := first_true(pa.array(positions < 0))) is not None:
            raise lt.error(
                "unknown firm {v1!r}",
                values={"v1": g[column][bad]},
                at=int(g["_line"][bad]),
                column=column,
                expected=f"a firm_id listed in {firms.name}",
            )
        ends.append(positions)
    supplier, buyer = ends
    if (bad := first_true(pa.array(supplier == buyer))) is not None:
        raise lt.error(
            "firm {v1!r} supplies itself",
            values={"v1": g["supplier_id"][bad]},
            at=int(g["_line"][bad]),
            column="buyer_id",
            expected=N_("a buyer other than the supplier (no self-loops)"),
        )
    essential_text = np.char.lower(g["essential"].astype(str))
    is_true = np.isin(essential_text, _TRUE)
    irrelevant = essential_text == "irrelevant"
    known = is_true | irrelevant | np.isin(essential_text, _FALSE)
    if (bad := first_true(pa.array(~known))) is not None:
        raise lt.error(
            "essential is {v1!r}",
            values={"v1": g["essential"][bad]},
            at=int(g["_line"][bad]),
            column="essential",
            expected=N_("true, false or irrelevant"),
        )
    # without a product, an input is the supplier's sector (as in the ESRI reference)
    sectors = np.asarray(f["sector"], dtype=object)
    product = g["product"] if "product" in g else sectors[supplier].astype(str)
    product = np.where(product == "", sectors[supplier].astype(str), product)
    _check_duplicates(lt, supplier, buyer, product, g["_line"])
    return Network(
        firm_ids=tuple(str(x) for x in ids),
        names=tuple(str(x) for x in f["name"]),
        countries=tuple(countries),
        sectors=tuple(str(x) for x in f["sector"]),
        output=f["output"].astype(np.float64),
        supplier=supplier,
        buyer=buyer,
        product=tuple(str(p) for p in product),
        value=g["value"].astype(np.float64),
        essential=is_true,
        source=f"{firms.name} + {links.name}",
        relevant=~irrelevant,
    )


def _check_duplicates(
    tf: TableFile, supplier: np.ndarray, buyer: np.ndarray, product: np.ndarray, lines: np.ndarray
) -> None:
    seen: dict[tuple[int, int, str], int] = {}
    for k, key in enumerate(zip(supplier.tolist(), buyer.tolist(), product.tolist(), strict=True)):
        if key in seen:
            raise tf.error(
                "the link is a duplicate of line {v1} (same supplier, buyer and product)",
                values={"v1": seen[key]},
                at=int(lines[k]),
                expected=N_("one row per link"),
            )
        seen[key] = int(lines[k])


def network_from_tables(firms: pa.Table, links: pa.Table, source: str) -> Network:
    """A network from Arrow tables with the columns of ``firms.csv`` and ``links.csv``, already
    checked (e.g. the generated demo world).

    Parameters
    ----------
    firms, links : pyarrow.Table
        As in :func:`read_network`.
    source : str
        What to call the data.

    Returns
    -------
    Network

    Examples
    --------
    >>> import pyarrow as pa
    >>> firms = pa.table({"firm_id": ["A", "B"], "name": ["Mine", "Maker"],
    ...                   "country": ["CHN", "JPN"], "sector": ["B07", "C29"],
    ...                   "output": [10.0, 30.0]})
    >>> links = pa.table({"supplier_id": ["A"], "buyer_id": ["B"], "product": ["ore"],
    ...                   "value": [5.0], "essential": [True]})
    >>> network_from_tables(firms, links, "example").W().toarray()
    array([[0., 5.],
           [0., 0.]])
    """
    ids = firms.column("firm_id").to_pylist()
    index = {f: i for i, f in enumerate(ids)}
    return Network(
        firm_ids=tuple(ids),
        names=tuple(firms.column("name").to_pylist()),
        countries=tuple(firms.column("country").to_pylist()),
        sectors=tuple(firms.column("sector").to_pylist()),
        output=firms.column("output").to_numpy().astype(np.float64),
        supplier=np.array([index[s] for s in links.column("supplier_id").to_pylist()], np.int64),
        buyer=np.array([index[b] for b in links.column("buyer_id").to_pylist()], np.int64),
        product=tuple(str(p) for p in links.column("product").to_pylist()),
        value=links.column("value").to_numpy().astype(np.float64),
        essential=np.asarray(links.column("essential").to_pylist(), dtype=bool),
        source=source,
    )


def read_willems(folder: Path, chain: int) -> Network:
    """One of Willems' (2008) 38 real multi-echelon chains as a network.

    Stages become firms (sector = stage type: Part, Manuf, Trans, Dist, Retail); arcs become
    links. The data have no countries, values or essentiality: every firm gets the country code
    ``XXX`` (unknown), a stage's output is its cost rate times the throughput implied by
    downstream demand (at least its cost rate), a link's value is the upstream stage's cost
    rate, and every link is essential (a stage needs all its parts, as in a bill of materials).

    Parameters
    ----------
    folder : pathlib.Path
        The data folder (``willems_supply_chains``).
    chain : int
        The chain's number, 1 to 38.

    Returns
    -------
    Network

    Examples
    --------
    >>> chain = read_willems(Path("../shared/data/willems_supply_chains"), 1)
    >>> chain.n_firms, chain.n_links, sorted(set(chain.sectors))[:2]
    (8, 10, ['Manuf', 'Part'])

    References
    ----------
    Willems, S. P. (2008), Data set: Real-world multiechelon supply chains used for inventory
    optimization, *Manufacturing & Service Operations Management* 10(1).
    """
    import csv

    def rows(name: str) -> list[dict[str, str]]:
        with gzip.open(folder / name, "rt", encoding="utf-8") as handle:
            return [r for r in csv.DictReader(handle) if int(r["chain"]) == chain]

    stages = rows("willems_stages.csv.gz")
    if not stages:
        raise NotFoundError(f"no Willems chain {chain} in {folder} (chains 1-38)")
    arcs = rows("willems_arcs.csv.gz")
    ids = [s["stage_id"] for s in stages]
    index = {s: i for i, s in enumerate(ids)}
    cost = np.array([float(s["cost_rate"] or 0) for s in stages])
    supplier = np.array([index[a["upstream_stage"]] for a in arcs], np.int64)
    buyer = np.array([index[a["downstream_stage"]] for a in arcs], np.int64)
    value = np.maximum(cost[supplier], 1e-9)
    inputs = np.bincount(buyer, weights=value, minlength=len(ids))
    output = np.maximum(cost + inputs, 1e-9)
    return Network(
        firm_ids=tuple(ids),
        names=tuple(f"chain {chain} stage {s}" for s in ids),
        countries=("XXX",) * len(ids),
        sectors=tuple(s["stage_type"] for s in stages),
        output=output,
        supplier=supplier,
        buyer=buyer,
        product=tuple(stages[i]["stage_type"] for i in supplier),
        value=value,
        essential=np.ones(len(arcs), dtype=bool),
        source=f"Willems (2008) chain {chain}",
    )
