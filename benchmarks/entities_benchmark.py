"""Benchmark: supplier entity resolution on 10,000 distinct names in one country.

Compared in the same run, on the same mentions (seeded, synthetic: 10,000 distinct supplier
names built from 80 × 80 words and 4 plant kinds, many alike, each named by 1–3 of 500 firms
with their own spellings of legal forms and case):

* baseline: the previous rule — every pair of names in a country compared (RapidFuzz
  ``cdist`` of the token-sort and compact ratios) and joined through union-find, so alike names
  chain;
* ``econsec.sharing.entities.resolve``: blocks of the first three letters, leader clustering
  (no chains), numbers and directions kept apart, identifiers trusted from two firms.

Both run on 1 thread. Run: ``python benchmarks/entities_benchmark.py [--names 10000]``.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np

from econsec.sharing.entities import Mention, normalise, resolve

WORDS = [
    "acme", "alpha", "apex", "argent", "atlas", "aurora", "beacon", "beta", "boreal", "cobalt",
    "condor", "crest", "delta", "dragon", "eagle", "echo", "ember", "falcon", "fortune", "gamma",
    "global", "golden", "granite", "harbor", "horizon", "indus", "iron", "jade", "jupiter",
    "keystone", "kinetic", "lotus", "lumen", "magna", "meridian", "metro", "nexus", "noble",
    "nova", "oasis", "omega", "orion", "pacific", "paragon", "phoenix", "pinnacle", "polar",
    "prime", "quantum", "radiant", "river", "royal", "sapphire", "sierra", "silver", "solar",
    "sterling", "summit", "sun", "tiger", "titan", "trident", "union", "unity", "vanguard",
    "vertex", "victory", "vista", "willow", "zenith", "cedar", "coral", "ocean", "maple",
    "onyx", "pearl", "ruby", "stone", "storm", "vector",
]  # fmt: skip
KINDS = ["metals", "chemicals", "materials", "mining"]
FORMS = ["Co., Ltd.", "Corporation", "Inc.", "Limited", "", "Group"]


def mentions(n_names: int, seed: int = 11) -> list[Mention]:
    rng = np.random.default_rng(seed)
    names: set[str] = set()
    while len(names) < n_names:
        a, b = rng.choice(WORDS, 2, replace=False)
        names.add(f"{a} {b} {rng.choice(KINDS)}")
    out: list[Mention] = []
    for name in sorted(names):
        for _ in range(int(rng.integers(1, 4))):
            spelled = f"{name} {rng.choice(FORMS)}".strip()
            spelled = spelled.upper() if rng.random() < 0.3 else spelled.title()
            out.append(Mention(len(out), spelled, "CHN", firm=f"firm{rng.integers(500)}"))
    return out


def baseline(ms: list[Mention], threshold: float = 90.0) -> list[tuple[int, ...]]:
    """The previous rule: every pair of names in a country, joined through union-find."""
    from rapidfuzz import fuzz, process

    parent = list(range(len(ms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    names = [normalise(m.name) for m in ms]
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        root = first.setdefault(name, i)
        parent[find(i)] = find(root)
    distinct = sorted(first)
    compact = [n.replace(" ", "") for n in distinct]
    scores = np.maximum(
        process.cdist(distinct, distinct, scorer=fuzz.token_sort_ratio, workers=1),
        process.cdist(compact, compact, scorer=fuzz.ratio, workers=1),
    )
    for a, b in zip(*np.nonzero(np.triu(scores >= threshold, 1)), strict=True):
        parent[find(first[distinct[a]])] = find(first[distinct[b]])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ms)):
        groups[find(i)].append(i)
    return sorted(tuple(g) for g in groups.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=10_000)
    n = parser.parse_args().names
    ms = mentions(n)
    start = time.perf_counter()
    old = baseline(ms)
    t_old = time.perf_counter() - start
    start = time.perf_counter()
    new = resolve(ms)
    t_new = time.perf_counter() - start
    largest_old = max(len({normalise(ms[i].name) for i in g}) for g in old)
    largest_new = max(len({normalise(ms[i].name) for i in e.mentions}) for e in new)
    print(f"{n:,} distinct names, {len(ms):,} mentions of 500 firms, one country")
    print("| method | seconds | entities | most distinct names in one entity |")
    print("|---|---|---|---|")
    print(f"| baseline: all pairs, union-find | {t_old:.2f} | {len(old):,} | {largest_old} |")
    print(f"| resolve: blocks, leaders | {t_new:.2f} | {len(new):,} | {largest_new} |")
    print(f"speed-up {t_old / t_new:.1f}x")


if __name__ == "__main__":
    main()
