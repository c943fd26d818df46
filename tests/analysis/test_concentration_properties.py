"""Property tests of the concentration metrics (Hypothesis) against their definitions."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.analysis import Importer, concentration
from econsec.storage import duckdb_engine

SUPPLIERS = ["CHN", "KOR", "USA", "DEU", "AUS", "CHL"]
flows = st.lists(
    st.tuples(st.sampled_from(SUPPLIERS), st.floats(0.01, 1e9, allow_nan=False)),
    min_size=1,
    max_size=30,
)


def _metrics(rows: list[tuple[str, float]], scale: float = 1.0) -> dict[str, object]:
    con = duckdb_engine(None)
    con.register(
        "flows",
        pa.table(
            {
                "year": [2024] * len(rows),
                "exporter": [r[0] for r in rows],
                "importer": ["JPN"] * len(rows),
                "product": ["850511"] * len(rows),
                "value_usd": [r[1] * scale for r in rows],
            }
        ),
    )
    (row,) = concentration(con, (Importer("JPN", frozenset({"JPN"})),), (2024,)).to_pylist()
    return row


@settings(max_examples=60, deadline=None)
@given(flows)
def test_hhi_bounds_and_shares(rows: list[tuple[str, float]]) -> None:
    m = _metrics(rows)
    n = len({r[0] for r in rows})
    assert m["n_suppliers"] == n
    assert 1 / n - 1e-12 <= m["hhi"] <= 1 + 1e-12
    totals: dict[str, float] = {}
    for s, v in rows:
        totals[s] = totals.get(s, 0.0) + v
    assert sum(v / m["imports_usd"] for v in totals.values()) == pytest.approx(1.0)
    assert m["top_share"] == pytest.approx(max(totals.values()) / sum(totals.values()))
    assert m["hhi"] >= m["top_share"] ** 2 - 1e-12


@settings(max_examples=40, deadline=None)
@given(flows, st.randoms(use_true_random=False), st.floats(1e-3, 1e3))
def test_order_and_scale_invariance(
    rows: list[tuple[str, float]], rnd: object, scale: float
) -> None:
    m = _metrics(rows)
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    m2 = _metrics(shuffled)
    m3 = _metrics(rows, scale)
    for other in (m2, m3):
        assert other["hhi"] == pytest.approx(m["hhi"], rel=1e-9)
        assert other["top_share"] == pytest.approx(m["top_share"], rel=1e-9)
    assert m2["imports_usd"] == pytest.approx(m["imports_usd"], rel=1e-9)
    assert m3["imports_usd"] == pytest.approx(m["imports_usd"] * scale, rel=1e-9)
