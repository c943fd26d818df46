"""The compiled local cascades agree with the synchronous cascade; Spark fans them out."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.network import esri, network_from_tables
from econsec.network.systemic import esri_local, esri_spark
from econsec.synthetic import generate_world


@pytest.fixture(scope="module")
def demo_network():  # type: ignore[no-untyped-def]
    world = generate_world(n_filler_products=5)
    return network_from_tables(world.firms, world.links, "demo")


def test_local_equals_synchronous(demo_network) -> None:  # type: ignore[no-untyped-def]
    exact = esri(demo_network, tol=1e-12)
    fast = esri_local(demo_network, eps=1e-12)
    assert np.abs(exact - fast).max() < 1e-8
    rough = esri_local(demo_network, eps=1e-6)
    assert np.abs(exact - rough).max() < 1e-4  # the error the benchmark allows


def test_spark_fan_out(demo_network, spark_conf: None) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    assert esri_spark(demo_network, spark, partitions=3, eps=1e-12) == pytest.approx(
        esri_local(demo_network, eps=1e-12), abs=1e-12
    )
