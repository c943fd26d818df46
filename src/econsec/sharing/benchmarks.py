"""Benchmark reports: a firm's exposure against the other firms of its sector.

A firm's profile is computed from its own current supplier records (tier 1):

* ``top_country_share`` — share of its inputs from its largest source country;
* ``single_source_share`` — share of its inputs from single sources;
* ``concern_share`` — share from the ``concern`` country group of the reference groups;
* ``inventory_days`` — inventory days weighted by input share.

The sector comparison is released only when at least ``min_firms`` firms of the sector have a
current submission (else it says "insufficient data"), and shows the sector mean and the firm's
own quarter, never another firm's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from econsec.reference.countries import group_members

__all__ = ["METRICS", "benchmark", "profile"]

METRICS = ("top_country_share", "single_source_share", "concern_share", "inventory_days")


def profile(records: Sequence[Mapping[str, Any]]) -> dict[str, float] | None:
    """A firm's exposure profile from its supplier records; None when it has no tier-1 input.

    >>> p = profile([{"tier": 1, "country": "CHN", "input_share": 0.6, "single_source": True,
    ...               "inventory_days": 30}, {"tier": 1, "country": "USA", "input_share": 0.2,
    ...               "single_source": False, "inventory_days": 90}])
    >>> round(p["top_country_share"], 4), p["inventory_days"]
    (0.75, 45.0)
    """
    direct = [r for r in records if r["tier"] == 1 and float(r["input_share"]) > 0]
    total = sum(float(r["input_share"]) for r in direct)
    if total <= 0:
        return None
    by_country: dict[str, float] = defaultdict(float)
    for r in direct:
        by_country[r["country"]] += float(r["input_share"])
    concern = group_members("concern")

    def share(rows: Sequence[Mapping[str, Any]]) -> float:
        return sum(float(r["input_share"]) for r in rows) / total

    return {
        "top_country_share": max(by_country.values()) / total,
        "single_source_share": share([r for r in direct if r["single_source"]]),
        "concern_share": share([r for r in direct if r["country"] in concern]),
        "inventory_days": sum(float(r["input_share"]) * float(r["inventory_days"]) for r in direct)
        / total,
    }


def _quarter(own: float, values: Sequence[float]) -> str:
    below = sum(v < own for v in values) / len(values)
    return ("lowest", "second", "third", "highest")[min(3, int(below * 4))] + " quarter"


def benchmark(
    org: str, profiles: Mapping[str, tuple[str, Mapping[str, float]]], min_firms: int = 5
) -> dict[str, Any]:
    """The benchmark report of ``org`` among ``profiles`` (org → (sector, profile))."""
    sector, own = profiles[org]
    peers = [p for s, p in profiles.values() if s == sector]
    enough = len(peers) >= min_firms
    metrics = {}
    for m in METRICS:
        values = [p[m] for p in peers]
        metrics[m] = {
            "own": round(own[m], 4),
            "sector_mean": round(sum(values) / len(values), 4) if enough else None,
            "position": _quarter(own[m], values) if enough else None,
        }
    return {
        "sector": sector,
        "status": "ok" if enough else "insufficient data",
        "min_firms": min_firms,
        "metrics": metrics,
    }


EXPOSURE_METHOD = "econsec own exposure 1 (input-share weighted; critical lists of the catalogue)"


def exposure(records: Sequence[Mapping[str, Any]], day: Any = None) -> dict[str, Any] | None:
    """A firm's own exposure from its supplier records: the countries of its direct (tier-1)
    and deeper-tier inputs, weighted by input share; the critical product groups it buys, with
    the largest country share in each; and its suppliers by tier. None without input shares.

    >>> e = exposure([{"tier": 1, "country": "CHN", "input_share": 0.6, "product": "850511",
    ...                "single_source": True}, {"tier": 2, "country": "MMR", "product": "280530",
    ...                "input_share": 0.5, "single_source": False}])
    >>> [(c["country"], c["direct"], c["deeper"]) for c in e["countries"]]
    [('CHN', 1.0, 0.0), ('MMR', 0.0, 1.0)]
    """
    from econsec.reference.catalogue import groups_containing

    def shares(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
        total = sum(float(r["input_share"]) for r in rows)
        out: dict[str, float] = defaultdict(float)
        for r in rows:
            out[r["country"]] += float(r["input_share"]) / total if total else 0.0
        return out

    direct = [r for r in records if r["tier"] == 1 and float(r["input_share"]) > 0]
    deeper = [r for r in records if r["tier"] > 1 and float(r["input_share"]) > 0]
    if not direct and not deeper:
        return None
    d, h = shares(direct), shares(deeper)
    countries = [
        {"country": c, "direct": round(d.get(c, 0.0), 4), "deeper": round(h.get(c, 0.0), 4)}
        for c in sorted(set(d) | set(h), key=lambda c: (-d.get(c, 0.0), -h.get(c, 0.0), c))
    ]
    groups: dict[str, dict[str, Any]] = {}
    for r in direct:
        for g in groups_containing(r["product"], day):
            entry = groups.setdefault(g.key, {"name": g.name_en, "name_ja": g.name_ja,
                                              "products": set(), "rows": []})  # fmt: skip
            entry["products"].add(r["product"])
            entry["rows"].append(r)
    group_rows = []
    for key, entry in sorted(groups.items()):
        top, share = max(shares(entry["rows"]).items(), key=lambda t: t[1])
        group_rows.append({"key": key, "name": entry["name"], "name_ja": entry["name_ja"],
                           "products": sorted(entry["products"]), "top_country": top,
                           "top_share": round(share, 4)})  # fmt: skip
    tiers = [
        {"tier": t, "n": sum(r["tier"] == t for r in records),
         "single": sum(r["tier"] == t and bool(r.get("single_source")) for r in records)}
        for t in sorted({r["tier"] for r in records})
    ]  # fmt: skip
    return {
        "n_records": len(records),
        "n_products": len({r["product"] for r in records}),
        "countries": countries,
        "groups": group_rows,
        "tiers": tiers,
        "method": EXPOSURE_METHOD,
    }
