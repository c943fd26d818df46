"""Small networks written out by hand for tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

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


def indexed(n: int, links: list[tuple[int, int, int, bool, float]], output: list[float]) -> Network:
    """Firms F0..F(n-1) in two sectors, links (supplier, buyer, product, essential, value) by
    index; self-loops and repeated pairs dropped (the last kept)."""
    kept = list({(s, b): (s, b, p, e, v) for s, b, p, e, v in links if s != b}.values())
    return Network(
        firm_ids=tuple(f"F{i}" for i in range(n)),
        names=("",) * n,
        countries=("XXX",) * n,
        sectors=tuple("ST"[i % 2] for i in range(n)),
        output=np.array(output),
        supplier=np.array([s for s, *_ in kept], np.int64),
        buyer=np.array([b for _, b, *_ in kept], np.int64),
        product=tuple(f"p{p}" for _, _, p, _, _ in kept),
        value=np.array([v for *_, v in kept], float),
        essential=np.array([e for *_, e, _ in kept], bool),
    )


@st.composite
def random_networks(draw: st.DrawFn, max_firms: int = 7) -> Network:
    """Hypothesis: small networks with cycles, three input types and mixed essentiality."""
    n = draw(st.integers(2, max_firms))
    link = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 2),
                     st.booleans(), st.floats(0.1, 10.0))  # fmt: skip
    links = draw(st.lists(link, max_size=3 * n))
    return indexed(n, links, draw(st.lists(st.floats(1.0, 40.0), min_size=n, max_size=n)))
