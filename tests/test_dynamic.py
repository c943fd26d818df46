"""The dynamic sector model: steady state, hand-worked chains, the static bottleneck result, and
BoARIO (the open ARIO implementation, a test-only baseline) on pymrio's test system and WIOD."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pymrio
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.errors import InputError
from econsec.sectors import MRIO, bottleneck, calc_A, from_pymrio, leontief_output, read_wiod
from econsec.sectors.dynamic import (
    CapacityLoss,
    DemandShift,
    DynamicParams,
    LinkCut,
    simulate,
)
from shared_data import DATA


def miller_blair() -> MRIO:
    Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    return MRIO(("X", "X"), ("1", "2"), Z, np.array([350.0, 1700.0]),
                np.array([1000.0, 2000.0]), "USD", "M&B")  # fmt: skip


def chain(second_supplier: bool = False) -> MRIO:
    """A sells input "m" to B's factory "f"; optionally C sells the same input to B too.
    Annual flows: A→B 100 (and C→B 100), B's output 1,000, everything else final demand."""
    countries = ("A", "B", "C") if second_supplier else ("A", "B")
    sectors = ("m", "f", "m") if second_supplier else ("m", "f")
    n = len(countries)
    Z = np.zeros((n, n))
    Z[0, 1] = 100.0
    if second_supplier:
        Z[2, 1] = 100.0
    x = np.array([400.0, 1000.0, 400.0][:n])
    return MRIO(countries, sectors, sp.csr_matrix(Z), x - Z.sum(axis=1), x, "USD", "chain")


def test_steady_state_does_not_drift_over_a_year() -> None:
    wiod = read_wiod(DATA / "wiod2013_mrio", 2011)  # with negative final demand in places
    for mrio in (miller_blair(), from_pymrio(pymrio.load_test()), wiod):
        run = simulate(mrio, [], days=365)
        assert np.abs(run.production - run.baseline).max() <= 1e-9 * run.baseline.max()
        assert np.abs(run.output_loss()).max() <= 1e-6
        assert (run.first_below_baseline() == -1).all()


def test_a_cut_input_stops_the_buyer_when_its_stock_falls_below_psi() -> None:
    # B starts day 5 with 90 days of input and uses one a day; on day 5 + 18 its stock is
    # exactly 0.8 × 90 = 72 days' use, on day 5 + 19 below: it falls short that day.
    run = simulate(chain(), [LinkCut((0,), (1,), 1.0, start=5)], days=60)
    assert run.first_below_baseline().tolist() == [5, 5 + 19]
    assert run.first_input_short_day().tolist() == [-1, 5 + 19]  # A only lost demand
    assert run.production[5 + 19, 1] / run.baseline[1] == pytest.approx(71 / 72)
    # A loses its sales to B from the first day: its output falls by 100 a year.
    assert run.production[10, 0] * 365 == pytest.approx(300.0)


def test_stockpile_days_delay_the_stop() -> None:
    cut = [LinkCut((0,), (1,), 1.0, start=0)]
    days = {d: simulate(chain(), cut, 200, inventory_overrides={("m", 1): d}).first_input_short_day()[1]
            for d in (30.0, 90.0, 150.0)}  # fmt: skip
    assert days == {30.0: 7, 90.0: 19, 150.0: 31}  # the first day past 20 % of the stock


def test_substitution_moves_orders_to_another_region() -> None:
    cut = [LinkCut((0,), (1,), 1.0, start=0)]
    moved = simulate(chain(True), cut, 200, DynamicParams(substitution=True))
    fixed = simulate(chain(True), cut, 200, DynamicParams(substitution=False))
    # C has spare capacity (overproduction): B keeps producing; with fixed shares it cannot.
    assert moved.loss_by_industry()[1] < 0.05 * fixed.loss_by_industry()[1]
    assert moved.production[-1, 2] > moved.baseline[2]  # C sells more
    assert 0 <= fixed.first_input_short_day()[1] < moved.first_input_short_day()[1]


def test_demand_shift_settles_at_the_leontief_answer_without_shortage() -> None:
    mrio = miller_blair()
    run = simulate(mrio, [DemandShift((1,), 0.5, start=0)], 600, DynamicParams(alpha_max=1.0))
    expected = leontief_output(calc_A(mrio.Z, mrio.x), np.array([350.0, 850.0]))
    np.testing.assert_allclose(run.production[-1] * 365, expected, rtol=1e-6)
    assert run.unmet_final_demand.max() <= 1e-9


def test_long_run_equals_the_static_bottleneck_without_inventories_or_substitution() -> None:
    mrio = miller_blair()
    params = DynamicParams(inventory_days=1.0, alpha_max=1.0, substitution=False,
                           rationing="priority")  # fmt: skip
    run = simulate(mrio, [CapacityLoss((0,), 0.1, start=0)], 400, params)
    expected, _ = bottleneck(mrio, {0: 900.0})
    np.testing.assert_allclose(run.production[-1] * 365, expected, rtol=1e-9)


@st.composite
def tables(draw: st.DrawFn) -> tuple[MRIO, int, float]:
    n = draw(st.integers(2, 5))
    A = np.array(draw(st.lists(st.floats(0.0, 0.6 / n), min_size=n * n, max_size=n * n)))
    A = A.reshape(n, n)
    y = np.array(draw(st.lists(st.floats(10.0, 1000.0), min_size=n, max_size=n)))
    x = np.linalg.solve(np.eye(n) - A, y)
    Z = A * x
    capped = draw(st.integers(0, n - 1))
    # a cut the capped sector's industrial customers never feel (its final demand bears it)
    room = y[capped] / x[capped]
    share = draw(st.floats(0.01, 0.99)) * room
    mrio = MRIO(("R",) * n, tuple(f"s{i}" for i in range(n)), sp.csr_matrix(Z), y, x, "USD", "t")
    return mrio, capped, share


@settings(max_examples=30, deadline=None)
@given(tables())
def test_long_run_equals_the_bottleneck_on_random_tables(case: tuple[MRIO, int, float]) -> None:
    mrio, capped, share = case
    params = DynamicParams(alpha_max=1.0, rationing="priority", substitution=False)
    run = simulate(mrio, [CapacityLoss((capped,), share, start=0)], 1500, params)
    expected, _ = bottleneck(mrio, {capped: float(mrio.x[capped] * (1 - share))})
    np.testing.assert_allclose(run.production[-1] * 365, expected, rtol=1e-6)


def test_bad_shocks_and_parameters_are_refused() -> None:
    with pytest.raises(InputError, match="outside the table"):
        simulate(miller_blair(), [CapacityLoss((5,), 0.1)], 10)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        simulate(miller_blair(), [CapacityLoss((0,), 1.5)], 10)
    with pytest.raises(InputError, match="rationing"):
        DynamicParams(rationing="lottery")
    with pytest.raises(InputError, match="lacks"):
        simulate(miller_blair(), [], 10, DynamicParams(inventory_days_by_sector=(("zz", 5.0),)))


# --- BoARIO, the open ARIO implementation (GPL-3; a test-only baseline, run, never copied) ---


LAST_BOARIO_LOOP_SECONDS = [0.0]  # the benchmark reads how long the day loop alone took


def boario_run(io: pymrio.IOSystem, hit: list[tuple[str, str, float]], occurrence: int,
               duration: int, days: int) -> tuple[np.ndarray, list[tuple[str, str]]]:  # fmt: skip
    from boario.event import EventArbitraryProd
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(io, order_type="alt", alpha_max=1.25, alpha_tau=365,
                             main_inv_dur=90, psi_param=0.8, inventory_restoration_tau=60,
                             monetary_factor=1)  # fmt: skip
        sim = Simulation(model, n_temporal_units_to_sim=days)
        impact = pd.Series(0.0, index=model.industries)
        for region, sector, share in hit:
            impact.loc[(region, sector)] = share
        sim.add_event(EventArbitraryProd(impact=impact, occurrence=occurrence,
                                         duration=duration))  # fmt: skip
        t = time.perf_counter()
        sim.loop()
        LAST_BOARIO_LOOP_SECONDS[0] = time.perf_counter() - t
    return sim.production_realised.to_numpy()[:days], [tuple(i) for i in model.industries]


def compare_with_boario(io: pymrio.IOSystem, mrio: MRIO, hit: list[tuple[str, str, float]],
                        days: int) -> float:  # fmt: skip
    """The largest difference, relative to each industry's baseline, over every day."""
    occurrence, duration = 10, days - 20
    expected, industries = boario_run(io, hit, occurrence, duration, days)
    labels = list(zip(mrio.countries, mrio.sectors, strict=True))
    # BoARIO's event at occurrence o lasting d acts on days o+1 … o+d+2 of its records.
    shocks: list[CapacityLoss | LinkCut | DemandShift] = [
        CapacityLoss((labels.index((r, s)),), share, start=occurrence + 1, days=duration + 2)
        for r, s, share in hit
    ]
    run = simulate(mrio, shocks, days, DynamicParams())
    order = [labels.index(i) for i in industries]
    got = run.production[:, order]
    base = run.baseline[order]
    live = base > 0
    assert (np.abs(got - base) > 1e-3 * base).any()  # the shock moved something
    return float((np.abs(got - expected)[:, live] / base[live]).max())


def test_matches_boario_on_pymrios_test_system() -> None:
    io = pymrio.load_test().calc_all()
    hit = [("reg2", "manufactoring", 0.3), ("reg4", "electricity", 0.5)]
    assert compare_with_boario(io, from_pymrio(io), hit, 365) < 1e-4


def wiod_for_boario() -> tuple[pymrio.IOSystem, MRIO]:
    """WIOD 2011 as a pymrio system for BoARIO (negative final demand set to zero: BoARIO
    refuses negative outputs) and the same table for econsec."""
    mrio = read_wiod(DATA / "wiod2013_mrio", 2011)
    index = pd.MultiIndex.from_arrays([mrio.countries, mrio.sectors], names=["region", "sector"])
    regions = sorted(set(mrio.countries))
    Z = pd.DataFrame(mrio.Z.toarray(), index=index, columns=index)
    Y = pd.DataFrame(0.0, index=index,
                     columns=pd.MultiIndex.from_product([regions, ["fd"]],
                                                        names=["region", "category"]))  # fmt: skip
    for k, region in enumerate(mrio.countries):
        Y.iloc[k, regions.index(region)] = max(mrio.y[k], 0.0)
    io = pymrio.IOSystem(Z=Z, Y=Y)
    io.x = pymrio.calc_x(io.Z, io.Y)
    io.A = pymrio.calc_A(io.Z, io.x)
    same = MRIO(mrio.countries, mrio.sectors, mrio.Z, mrio.y, io.x.to_numpy().ravel(),
                mrio.unit, mrio.source)  # fmt: skip
    return io, same


def test_matches_boario_on_wiod_2011() -> None:
    io, mrio = wiod_for_boario()
    hit = [("JPN", "c12", 0.4), ("CHN", "c14", 0.2)]
    assert compare_with_boario(io, mrio, hit, 120) < 1e-3  # measured 2.1e-4


@st.composite
def shocked_tables(draw: st.DrawFn) -> tuple[MRIO, list[CapacityLoss | LinkCut | DemandShift]]:
    n = draw(st.integers(2, 8))
    dense = draw(st.lists(st.floats(0.0, 50.0), min_size=n * n, max_size=n * n))
    Z = np.array(dense).reshape(n, n) * (np.array(dense).reshape(n, n) > 15.0)
    y = np.array(draw(st.lists(st.floats(0.0, 500.0), min_size=n, max_size=n)))
    countries = tuple(draw(st.sampled_from(["A", "B", "C"])) for _ in range(n))
    sectors = tuple(draw(st.sampled_from(["s", "t"])) for _ in range(n))
    x = Z.sum(axis=1) + y + 1.0
    mrio = MRIO(countries, sectors, sp.csr_matrix(Z), y + 1.0, x, "USD", "random")
    row = st.integers(0, n - 1)
    start, days = st.integers(0, 30), st.integers(1, 60)
    shocks = draw(st.lists(st.one_of(
        st.builds(CapacityLoss, st.tuples(row), st.floats(0, 1), start, days),
        st.builds(LinkCut, st.tuples(row, row), st.tuples(row), st.floats(0, 1), start, days),
        st.builds(DemandShift, st.tuples(row), st.floats(0, 2), start, days),
    ), max_size=4))  # fmt: skip
    return mrio, shocks


@settings(max_examples=40, deadline=None)
@given(shocked_tables(), st.booleans(), st.sampled_from(["proportional", "priority"]))
def test_compiled_kernel_equals_the_reference(
    case: tuple[MRIO, list[CapacityLoss | LinkCut | DemandShift]], substitution: bool,
    rationing: str,
) -> None:  # fmt: skip
    mrio, shocks = case
    params = DynamicParams(substitution=substitution, rationing=rationing, inventory_days=20.0)
    fast = simulate(mrio, shocks, 90, params)  # type: ignore[arg-type]
    slow = simulate(mrio, shocks, 90, params, kernel="reference")  # type: ignore[arg-type]
    np.testing.assert_allclose(fast.production, slow.production, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.value_added, slow.value_added, rtol=1e-9, atol=1e-12)
    assert (fast.industry_short_from == slow.industry_short_from).all()
    grouped = simulate(mrio, shocks, 90, params, by_label=True)  # type: ignore[arg-type]
    assert grouped.production.sum() == pytest.approx(fast.production.sum(), rel=1e-12)
    assert (grouped.industry_short_from == fast.industry_short_from).all()


def test_monte_carlo_battery_on_spark_equals_the_local_run(spark_conf: None) -> None:
    from pyspark.sql import SparkSession

    from econsec.sectors.dynamic import Ranges, battery, draw_params

    mrio = from_pymrio(pymrio.load_test())
    shocks: list[CapacityLoss | LinkCut | DemandShift] = [CapacityLoss((11,), 0.5, 10, 60)]
    draws = draw_params(DynamicParams(), 6, Ranges(), seed=7)
    assert draws == draw_params(DynamicParams(), 6, Ranges(), seed=7)  # reproducible
    local = battery(mrio, shocks, 120, draws)  # type: ignore[arg-type]
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    fanned = battery(mrio, shocks, 120, draws, spark=spark)  # type: ignore[arg-type]
    np.testing.assert_allclose(fanned, local, rtol=1e-12)
    assert len(set(local[:, 0].round(6))) == 6  # the draws matter
    # no overproduction, fewer inventories: never less lost than the most forgiving draw
    worst = battery(
        mrio, shocks, 120, [DynamicParams(alpha_max=1.0, inventory_scale=0.5, psi=0.95)]
    )  # type: ignore[arg-type]
    assert worst[0, 0] >= local[:, 0].min()
