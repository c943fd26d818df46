"""A deterministic synthetic world for demos and tests: countries, products, trade and firms.

Nothing here is real data. The generator draws, from one seeded ``numpy.random.Generator``:

* 40 real country codes (so groups such as G7 and EU27 apply) and a few hundred HS6 codes,
  every code of the critical product catalogue plus filler codes drawn from the HS 2022
  nomenclature (so every product has its real name);
* five years of bilateral flows: world export value per product heavy-tailed (log-normal,
  sigma 1.6), exporter shares from a Dirichlet distribution, with some products concentrated on
  one supplier (critical minerals and magnets mostly on CHN, as in reality), importer demand
  weighted by a GDP-like size, year-on-year noise, and one coercion-like break: CHN's exports of
  811292 to JPN fall by 70 % from 2023;
* a firm-level supply network in four tiers (raw materials, materials, components, assemblers)
  whose lower tiers sit in supplier countries and whose assemblers are mostly Japanese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from econsec.i18n import N_
from econsec.reference.catalogue import load_catalogue

__all__ = [
    "MRIO_SECTORS",
    "SYNTHETIC_LABEL",
    "World",
    "generate_mrio",
    "generate_world",
    "write_world",
]

SYNTHETIC_LABEL = N_("econsec synthetic demo world (not real data)")

COUNTRIES: tuple[str, ...] = (
    "JPN",
    "CHN",
    "USA",
    "DEU",
    "KOR",
    "TWN",
    "FRA",
    "GBR",
    "ITA",
    "NLD",
    "BEL",
    "ESP",
    "CAN",
    "AUS",
    "BRA",
    "IND",
    "IDN",
    "MYS",
    "THA",
    "VNM",
    "PHL",
    "SGP",
    "RUS",
    "SAU",
    "ARE",
    "ZAF",
    "CHL",
    "PER",
    "MEX",
    "TUR",
    "POL",
    "SWE",
    "CHE",
    "NOR",
    "NZL",
    "KAZ",
    "COD",
    "MNG",
    "ARG",
    "EGY",
)
YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024)
_CONCENTRATED_ON_CHINA = ("8505", "2805", "2846", "8112", "2504", "8104", "8110", "2804", "8101")


@dataclass(frozen=True, slots=True)
class World:
    """The generated world: flows in the layout of a mapped table, firms and links."""

    flows: pa.Table
    firms: pa.Table
    links: pa.Table
    seed: int


def _products(rng: np.random.Generator, n_filler: int) -> list[str]:
    from econsec.reference.names import hs2022_subheadings

    catalogue = load_catalogue()
    codes = {m.hs6 for groups in catalogue.lists.values() for g in groups for m in g.mappings}
    pool = [c for c in hs2022_subheadings() if c not in codes and not c.startswith("99")]
    chosen = rng.choice(len(pool), size=min(n_filler, len(pool)), replace=False)
    return sorted(codes | {pool[int(i)] for i in chosen})


def _flows(rng: np.random.Generator, products: list[str]) -> pa.Table:
    n_c = len(COUNTRIES)
    size = rng.lognormal(0.0, 1.0, n_c)
    size[COUNTRIES.index("USA")] *= 6
    size[COUNTRIES.index("CHN")] *= 5
    size[COUNTRIES.index("JPN")] *= 3
    size[COUNTRIES.index("DEU")] *= 3
    chn = COUNTRIES.index("CHN")
    names = np.array(COUNTRIES)
    parts: list[dict[str, np.ndarray]] = []
    for product in products:
        world = rng.lognormal(np.log(2e8), 1.6)
        k = int(rng.integers(3, 25))
        exporters = rng.choice(n_c, size=k, replace=False, p=size / size.sum())
        shares = rng.dirichlet(np.full(k, 0.6))
        if product.startswith(_CONCENTRATED_ON_CHINA):
            if chn not in exporters:
                exporters[0] = chn
            shares = shares * 0.25 / shares.sum()
            shares[list(exporters).index(chn)] += 0.75
        elif rng.random() < 0.12:  # other products concentrated on one supplier
            shares = shares * 0.3 / shares.sum()
            shares[0] += 0.7
        demand = rng.dirichlet(size / size.sum() * 8)
        price = rng.lognormal(np.log(20.0), 1.0)  # USD per kg
        base = world * np.outer(shares, demand)
        for year_index, year in enumerate(YEARS):
            growth = (1 + rng.normal(0.03, 0.05)) ** year_index
            values = base * growth * rng.lognormal(0.0, 0.25, base.shape)
            if (
                product == "811292" and year >= 2023
            ):  # coercion-like break, as in China's 2023 licensing
                values[exporters == chn, COUNTRIES.index("JPN")] *= 0.3
            values[exporters[:, None] == np.arange(n_c)[None, :]] = 0.0
            a, j = np.nonzero(values >= 2e4)
            v = np.round(values[a, j], 2)
            parts.append(
                {
                    "year": np.full(a.size, year, np.int16),
                    "exporter": names[exporters[a]],
                    "importer": names[j],
                    "product": np.full(a.size, product),
                    "value_usd": v,
                    "quantity_kg": np.round(v / price, 1),
                }
            )
    return pa.table(
        {
            "year": pa.array(np.concatenate([p["year"] for p in parts])),
            "exporter": pa.array(
                np.concatenate([p["exporter"] for p in parts]).tolist(), pa.string()
            ),
            "importer": pa.array(
                np.concatenate([p["importer"] for p in parts]).tolist(), pa.string()
            ),
            "product": pa.array(
                np.concatenate([p["product"] for p in parts]).tolist(), pa.string()
            ),
            "value_usd": pa.array(np.concatenate([p["value_usd"] for p in parts])),
            "quantity_kg": pa.array(np.concatenate([p["quantity_kg"] for p in parts])),
        }
    )


def _network(rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    tiers = [  # (sector, count, countries drawn from; repeats weight a country)
        ("B07", 40, ("CHN", "AUS", "CHL", "COD", "ZAF", "IDN", "BRA", "KAZ")),
        ("C20", 80, ("CHN", "JPN", "KOR", "DEU", "USA", "TWN")),
        ("C26", 160, ("CHN", "TWN", "KOR", "JPN", "VNM", "MYS", "THA", "USA", "DEU")),
        ("C29", 60, ("JPN", "JPN", "JPN", "USA", "DEU", "KOR")),
    ]
    firm_ids: list[str] = []
    names: list[str] = []
    countries: list[str] = []
    sectors: list[str] = []
    outputs: list[float] = []
    tier_of: list[int] = []
    for t, (sector, count, places) in enumerate(tiers):
        for k in range(count):
            firm_ids.append(f"F{t}{k:04d}")
            names.append(f"Synthetic {sector} firm {t}-{k}")
            countries.append(str(places[int(rng.integers(len(places)))]))
            sectors.append(sector)
            outputs.append(round(float(rng.lognormal(np.log(5e7), 1.0)), 0))
            tier_of.append(t)
    tier_arr = np.array(tier_of)
    suppliers: list[str] = []
    buyers: list[str] = []
    link_products: list[str] = []
    values: list[float] = []
    essential: list[bool] = []
    tier_products = {
        0: ("260500", "250490", "280530"),
        1: ("282200", "850511", "811292"),
        2: ("854231", "850760", "853224"),
    }
    for buyer in range(len(firm_ids)):
        t = tier_arr[buyer]
        if t == 0:
            continue
        pool = np.flatnonzero(tier_arr == t - 1)
        popularity = rng.pareto(1.2, pool.size) + 1  # a few suppliers serve many buyers
        k = min(pool.size, int(rng.integers(2, 6)))
        chosen = rng.choice(pool, size=k, replace=False, p=popularity / popularity.sum())
        for s in chosen:
            suppliers.append(firm_ids[s])
            buyers.append(firm_ids[buyer])
            link_products.append(str(tier_products[int(t) - 1][int(rng.integers(3))]))
            values.append(round(float(outputs[buyer] * rng.uniform(0.02, 0.2)), 0))
            essential.append(bool(rng.random() < 0.5))
    # Every firm also sells outside the network (final demand, other customers): at least a
    # quarter of its output, so that no firm depends on the network for all of its sales.
    sales = np.zeros(len(firm_ids))
    position = {f: i for i, f in enumerate(firm_ids)}
    for supplier, value in zip(suppliers, values, strict=True):
        sales[position[supplier]] += value
    outputs = [round(max(o, s / 0.75), 0) for o, s in zip(outputs, sales, strict=True)]
    firms = pa.table(
        {
            "firm_id": firm_ids,
            "name": names,
            "country": countries,
            "sector": sectors,
            "output": pa.array(outputs, pa.float64()),
        }
    )
    links = pa.table(
        {
            "supplier_id": suppliers,
            "buyer_id": buyers,
            "product": link_products,
            "value": pa.array(values, pa.float64()),
            "essential": essential,
        }
    )
    return firms, links


def generate_world(seed: int = 20221220, n_filler_products: int = 220) -> World:
    """Generate the demo world; the same seed always gives the same world.

    >>> w = generate_world(n_filler_products=5)
    >>> w.flows.num_rows > 1000, sorted(set(w.flows.column("year").to_pylist()))
    (True, [2020, 2021, 2022, 2023, 2024])
    """
    rng = np.random.default_rng(seed)
    products = _products(rng, n_filler_products)
    flows = _flows(rng, products)
    firms, links = _network(rng)
    return World(flows=flows, firms=firms, links=links, seed=seed)


def write_world(world: World, folder: Path) -> dict[str, Path]:
    """Write the world's files (flows Parquet, firms and links CSV, a label file) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "flows": folder / "demo_flows.parquet",
        "firms": folder / "firms.csv",
        "links": folder / "links.csv",
        "label": folder / "README.txt",
    }
    metadata = {
        b"econsec.label": SYNTHETIC_LABEL.encode(),
        b"econsec.seed": str(world.seed).encode(),
    }
    pq.write_table(world.flows.replace_schema_metadata(metadata), paths["flows"])
    pacsv.write_csv(world.firms, paths["firms"])
    pacsv.write_csv(world.links, paths["links"])
    paths["label"].write_text(
        f"{SYNTHETIC_LABEL}\nGenerated {dt.date.today()} with seed {world.seed}.\n", "utf-8"
    )
    return paths


MRIO_SECTORS: tuple[str, ...] = (
    "agriculture",
    "mining",
    "chemicals",
    "electronics",
    "machinery",
    "services",
)


def generate_mrio(
    seed: int = 20221220,
) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]:
    """A synthetic multi-regional input-output table over the demo countries and six sectors:
    (countries, sectors, Z, y) with 40 % to 60 % of each column's output bought as inputs, most
    of it at home."""
    rng = np.random.default_rng(seed)
    n_c, n_s = len(COUNTRIES), len(MRIO_SECTORS)
    n = n_c * n_s
    size = rng.lognormal(0.0, 1.0, n_c)
    x = np.repeat(size, n_s) * rng.lognormal(np.log(1e5), 0.5, n)
    home = np.repeat(np.arange(n_c), n_s)
    weights = rng.random((n, n)) * np.where(home[:, None] == home[None, :], 6.0, 1.0)
    weights *= np.repeat(size, n_s)[:, None]
    A = weights / weights.sum(axis=0) * rng.uniform(0.4, 0.6, n)
    Z = A * x[None, :]
    y = x - Z.sum(axis=1)
    y = np.maximum(y, 0.05 * x)  # keep final demand positive; x follows from y below
    labels_c = tuple(c for c in COUNTRIES for _ in MRIO_SECTORS)
    labels_s = tuple(s for _ in COUNTRIES for s in MRIO_SECTORS)
    return labels_c, labels_s, A, y
