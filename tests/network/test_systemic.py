"""The certified ESRI scan agrees with the synchronous cascade; its bounds hold; Spark fans out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.network import Network, esri, network_from_tables
from econsec.network.systemic import esri_spark, scan_esri, supply_order
from econsec.synthetic import generate_world


@pytest.fixture(scope="module")
def demo_network() -> Network:
    world = generate_world(n_filler_products=5)
    return network_from_tables(world.firms, world.links, "demo")


def _network(
    n: int, links: list[tuple[int, int, int, bool, float]], output: list[float]
) -> Network:
    kept = list({(s, b): (s, b, p, e, v) for s, b, p, e, v in links if s != b}.values())
    return Network(
        firm_ids=tuple(f"F{i}" for i in range(n)),
        names=("",) * n,
        countries=("XXX",) * n,
        sectors=("S",) * n,
        output=np.array(output),
        supplier=np.array([s for s, *_ in kept], np.int64),
        buyer=np.array([b for _, b, *_ in kept], np.int64),
        product=tuple(f"p{p}" for _, _, p, _, _ in kept),
        value=np.array([v for *_, v in kept], float),
        essential=np.array([e for *_, e, _ in kept], bool),
    )


def test_scan_equals_synchronous(demo_network: Network) -> None:
    exact = esri(demo_network, tol=1e-13)
    for tol in (1e-4, 1e-9):
        scan = scan_esri(demo_network, tol=tol)
        error = np.abs(scan.esri - exact)
        assert scan.bound.max() <= tol
        assert np.all(error <= scan.bound + 1e-12)  # the certified bound holds
    assert scan_esri(demo_network, tol=1e-4).sweeps.mean() < scan.sweeps.mean()


def test_scan_of_chosen_firms(demo_network: Network) -> None:
    firms = np.array([5, 0, 17], np.int64)
    scan = scan_esri(demo_network, firms, tol=1e-10, threads=2, batch=2, piece=2)
    assert scan.firms.tolist() == [5, 0, 17]
    assert scan.esri == pytest.approx(esri(demo_network, firms, tol=1e-13), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(
                    st.integers(0, n - 1),
                    st.integers(0, n - 1),
                    st.integers(0, 2),
                    st.booleans(),
                    st.floats(0.1, 10.0),
                ),
                max_size=3 * n,
            ),
            st.lists(st.floats(1.0, 40.0), min_size=n, max_size=n),
        )
    ),
    st.sampled_from([1e-3, 1e-6]),
)
def test_bounds_hold_on_any_small_network(
    case: tuple[int, list[tuple[int, int, int, bool, float]], list[float]], tol: float
) -> None:
    """Cycles, mixed essentiality and lost demand included: the true ESRI is within the bound."""
    net = _network(*case)
    exact = esri(net, tol=1e-14, max_iter=200_000)
    scan = scan_esri(net, tol=tol, batch=3)
    assert np.all(scan.bound <= tol)
    assert np.all(np.abs(scan.esri - exact) <= scan.bound + 1e-11)


def test_supply_order_puts_suppliers_first() -> None:
    # 3 -> 0 -> 1 -> 2 and a cycle 4 <-> 5 fed by 2
    net = _network(
        6,
        [
            (3, 0, 0, True, 1.0),
            (0, 1, 0, True, 1.0),
            (1, 2, 0, True, 1.0),
            (2, 4, 0, True, 1.0),
            (4, 5, 0, True, 1.0),
            (5, 4, 1, True, 1.0),
        ],
        [10.0] * 6,
    )
    order = supply_order(net).tolist()
    assert sorted(order) == list(range(6))
    position = {firm: i for i, firm in enumerate(order)}
    assert position[3] < position[0] < position[1] < position[2] < min(position[4], position[5])


def test_spark_fan_out(demo_network: Network, spark_conf: None) -> None:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    on_spark = esri_spark(demo_network, spark, partitions=3, tol=1e-10)
    local = scan_esri(demo_network, tol=1e-10)
    assert on_spark.esri == pytest.approx(local.esri, abs=1e-12)
    assert on_spark.bound.max() <= 1e-10
