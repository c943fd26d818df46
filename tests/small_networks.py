"""Small networks written out by hand for tests."""

from __future__ import annotations

import numpy as np

from econsec.network import Network


def net(
    firms: dict[str, tuple[str, float]], links: list[tuple[str, str, str, float, bool]]
) -> Network:
    ids = list(firms)
    index = {f: i for i, f in enumerate(ids)}
    return Network(
        firm_ids=tuple(ids),
        names=tuple(ids),
        countries=tuple(c for c, _ in firms.values()),
        sectors=("C",) * len(ids),
        output=np.array([x for _, x in firms.values()], float),
        supplier=np.array([index[s] for s, *_ in links], np.int64),
        buyer=np.array([index[b] for _, b, *_ in links], np.int64),
        product=tuple(p for _, _, p, _, _ in links),
        value=np.array([v for *_, v, _ in links], float),
        essential=np.array([e for *_, e in links], bool),
    )
