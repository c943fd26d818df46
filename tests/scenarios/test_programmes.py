"""Stockpile coordination and support targeting: hand-solved cases, the contract of the JSON,
infeasibility named, and properties (cooperating never costs the coalition more than acting
alone; more budget never cuts less)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from econsec.cli import app
from econsec.errors import Infeasible, InputError
from econsec.scenarios.stockpile import coordinate, read_case
from econsec.scenarios.support import Measure, plan, read_measures


def _country(code: str, **changes: Any) -> dict[str, Any]:
    return {"code": code, "consumption_per_day": 10, "stock": 0, "max_stock": 1000,
            "storage_cost_per_unit_day": 0.01, "import_share_from_supplier": 0.5,
            "max_shortfall_share": 0.0, "gdp_usd": 1e12} | changes  # fmt: skip


def _case(*countries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"product": "811292", "horizon_days": 20, "burden_sharing": "consumption",
            "disruption": {"supplier": "CHN", "share_blocked": 1.0, "start_day": 10, "days": 10},
            "countries": list(countries)} | changes  # fmt: skip


def test_a_country_with_stock_to_spare_lends_to_one_that_cannot_build_its_own() -> None:
    # KOR cannot buy (max_buy_per_day 0) and holds nothing; JPN holds 200 already, needs 50.
    # KOR needs 5 a day for 10 days: JPN lends exactly that, and the coalition buys nothing.
    case = read_case(_case(_country("JPN", stock=200),
                           _country("KOR", max_buy_per_day=0)))  # fmt: skip
    result = coordinate(case)
    by = {c["code"]: c for c in result.countries}
    assert by["KOR"]["cost_alone"] is None  # it cannot meet its limit alone
    assert by["KOR"]["borrowed"] == pytest.approx(50) and by["KOR"]["shortfall"] == 0
    assert by["JPN"]["lent"] == pytest.approx(50) and by["JPN"]["bought"] == 0
    assert {(x["from"], x["to"]) for x in result.lending} == {("JPN", "KOR")}
    assert sorted(x["day"] for x in result.lending) == list(range(10, 20))
    assert all(x["amount"] == pytest.approx(5) for x in result.lending)
    # storage of JPN's 200: 200 a day for 10 days, then down by 10 a day (its own 5 + KOR's 5)
    unit_days = 200 * 10 + sum(200 - 10 * k for k in range(1, 11))
    assert result.total_cost == pytest.approx(0.01 * unit_days)
    # the pooled cost split by consumption (equal): each pays half
    assert by["JPN"]["cost"] == pytest.approx(result.total_cost / 2) == by["KOR"]["cost"]
    assert result.total_cost_alone is None


def test_gdp_sharing_and_the_json_contract() -> None:
    case = read_case(_case(_country("JPN", gdp_usd=3e12), _country("KOR", gdp_usd=1e12),
                           burden_sharing="gdp"))  # fmt: skip
    data = coordinate(case).as_dict(case)
    assert {"countries", "lending", "total_cost", "total_cost_alone"} <= set(data)
    for c in data["countries"]:
        assert {"code", "stock_target", "shortfall", "cost", "cost_alone"} <= set(c)
    costs = {c["code"]: c["cost"] for c in data["countries"]}
    assert costs["JPN"] == pytest.approx(3 * costs["KOR"])
    # each holds 50 and nobody lends: the coalition costs what acting alone does
    assert data["total_cost"] == pytest.approx(data["total_cost_alone"]) == pytest.approx(7.5)
    json.dumps(data)


def test_an_unmeetable_limit_is_named() -> None:
    case = read_case(_case(_country("JPN", max_stock=20), _country("KOR", max_buy_per_day=0)))
    with pytest.raises(Infeasible, match=r"shortfall limit of JPN, KOR cannot be met"):
        coordinate(case)
    with pytest.raises(InputError, match=r"countries\[2\]\.max_shortfall_share: 2"):
        read_case(_case(_country("JPN"), _country("KOR", max_shortfall_share=2)))
    with pytest.raises(InputError, match="missing gdp_usd"):
        read_case(_case({k: v for k, v in _country("JPN").items() if k != "gdp_usd"}))


@settings(max_examples=25, deadline=None)
@given(stocks=st.lists(st.integers(0, 120), min_size=2, max_size=3),
       buys=st.lists(st.sampled_from([0, 5, 10]), min_size=3, max_size=3),
       allowed=st.sampled_from([0.0, 0.2, 0.5]))  # fmt: skip
def test_cooperating_never_costs_the_coalition_more_than_acting_alone(
    stocks: list[int], buys: list[int], allowed: float
) -> None:
    codes = ["JPN", "KOR", "USA"]
    case = read_case(_case(*[_country(codes[i], stock=s, max_buy_per_day=buys[i],
                                      max_shortfall_share=allowed)
                             for i, s in enumerate(stocks)]))  # fmt: skip
    try:
        result = coordinate(case)
    except Infeasible:
        # then some country cannot meet its limit alone either
        assert any(_alone_infeasible(case, c) for c in case.countries)
        return
    if result.total_cost_alone is not None:
        assert result.total_cost <= result.total_cost_alone + 1e-6
    for c in result.countries:
        limit = allowed * 10 * 10
        assert c["shortfall"] <= limit + 1e-6


def _alone_infeasible(case: Any, country: Any) -> bool:
    from dataclasses import replace

    try:
        coordinate(replace(case, countries=(country,)))
    except Infeasible:
        return True
    return False


def test_the_support_plan_keeps_exclusions_and_caps_a_product_at_what_is_at_stake() -> None:
    raw = {"measures": [
        {"id": "recycle", "kind": "alternative_material", "product": "811292", "cost": 4,
         "shortfall_reduction_usd": 6, "excludes": ["stock"]},
        {"id": "stock", "kind": "stockpile", "product": "811292", "cost": 2,
         "shortfall_reduction_usd": 5},
        {"id": "mine", "kind": "onshoring", "product": "811292", "cost": 3,
         "shortfall_reduction_usd": 4},
        {"id": "magnets", "kind": "diversification", "product": "850511", "cost": 3,
         "shortfall_reduction_usd": 3}],
        "products": {"811292": {"shortfall_usd": 8, "importance": 2}}}  # fmt: skip
    measures, at_stake, weight = read_measures(raw)
    result = plan(measures, 8, at_stake, weight)
    # stock + mine cut 9 but only 8 is at stake (weight 2: 16), + magnets 3 (weight 1): 19
    assert set(result.chosen) == {"stock", "mine", "magnets"} and result.risk_reduction == 19
    assert result.cost == 8
    assert result.marginal["recycle"] is not None and result.marginal["recycle"] < 0
    curve = [p["risk_reduction"] for p in result.curve]
    assert curve[0] == 0 and curve[-1] == 19 and curve == sorted(curve)  # never less with more
    with pytest.raises(InputError, match="excludes names no measure: nothing"):
        read_measures({"measures": [raw["measures"][1] | {"excludes": ["nothing"]}]})


@settings(max_examples=30, deadline=None)
@given(costs=st.lists(st.integers(1, 20), min_size=1, max_size=7),
       cuts=st.lists(st.integers(0, 30), min_size=7, max_size=7), budget=st.integers(0, 60))  # fmt: skip
def test_the_support_plan_matches_brute_force(
    costs: list[int], cuts: list[int], budget: int
) -> None:
    from itertools import combinations

    measures = [Measure(f"m{i}", "stockpile", "811292" if i % 2 else "850511", c, cuts[i])
                for i, c in enumerate(costs)]  # fmt: skip
    best = max(sum(m.reduction for m in s) for k in range(len(measures) + 1)
               for s in combinations(measures, k) if sum(m.cost for m in s) <= budget)  # fmt: skip
    assert plan(measures, budget, steps=2).risk_reduction == pytest.approx(best)


def test_the_commands_answer_in_json_and_fail_clearly(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    pair = _case(_country("JPN", stock=200), _country("KOR", max_buy_per_day=0))
    case.write_text(yaml.safe_dump(pair))
    out = CliRunner().invoke(app, ["stockpile", "coordinate", str(case), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["lending"][0] == {"from": "JPN", "to": "KOR", "day": 10,
                                                    "amount": 5.0}  # fmt: skip
    table = CliRunner().invoke(app, ["stockpile", "coordinate", str(case)])
    assert "JPN lends KOR 50.0 units in all" in table.output
    ja = CliRunner().invoke(app, ["--lang", "ja", "stockpile", "coordinate", str(case)])
    assert "JPN が KOR に合計 50.0 単位を融通" in ja.output and "単独では不可" in ja.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(_case(_country("JPN", max_stock=10, max_buy_per_day=0))))
    out = CliRunner().invoke(app, ["stockpile", "coordinate", str(bad)])
    assert out.exit_code == 7 and "shortfall limit of JPN cannot be met" in out.output
    bomb = tmp_path / "bomb.yaml"  # aliases can expand a few lines to gigabytes: refused
    bomb.write_text('a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n')
    refused = CliRunner().invoke(app, ["stockpile", "coordinate", str(bomb)])
    assert refused.exit_code == 2 and "anchors and aliases" in refused.output
    ja = CliRunner().invoke(app, ["--lang", "ja", "stockpile", "coordinate", str(bad)])
    assert ja.exit_code == 7 and ja.output.startswith("エラー: ")
    measures = tmp_path / "measures.yaml"
    measures.write_text(yaml.safe_dump({"measures": [
        {"id": "a", "kind": "stockpile", "product": "811292", "cost": 2e9,
         "shortfall_reduction_usd": 3e9}]}))  # fmt: skip
    out = CliRunner().invoke(app, ["support", "plan", str(measures), "--budget", "5e9",
                                   "--format", "json"])  # fmt: skip
    data = json.loads(out.output)
    assert data["chosen"] == ["a"] and data["cost"] == 2e9 and data["risk_reduction"] == 3e9
    assert data["curve"][-1] == {"budget": 5e9, "risk_reduction": 3e9}


def test_the_console_page_and_the_api_run_both_for_analysts_only(tmp_path: Path) -> None:
    import html

    from fastapi.testclient import TestClient

    from service_world import World
    from web.conftest import csrf_of, seeded, sign_in

    with seeded(tmp_path) as site:
        server = site.app
        with TestClient(server) as c:
            sign_in(c, "analyst2")
            page = c.get("/console/programmes").text
            assert "horizon_days: 360" in page  # the example case, ready to run
            r = c.post("/console/programmes/stockpile", params={"csrf_token": csrf_of(page)},
                       data={"case": (Path(__file__).parents[2] / "src/econsec/scenarios/examples"
                                      / "gallium_coordination.yaml").read_text()})  # fmt: skip
            assert r.status_code == 200, r.text[-2000:]
            text = html.unescape(r.text)
            assert "KOR</span> South Korea" in text and "cannot alone" in text
            assert 'data-export="stockpile-plan.csv"' in text
            bad = c.post("/console/programmes/stockpile", params={"csrf_token": csrf_of(page)},
                         data={"case": "product: 811292\nhorizon_days: [1"})  # fmt: skip
            assert bad.status_code == 422 and "not valid YAML" in bad.text
            r = c.post("/console/programmes/support", params={"csrf_token": csrf_of(page)},
                       data={"candidates": (Path(__file__).parents[2]
                                            / "src/econsec/scenarios/examples/support_measures.yaml")
                             .read_text(), "budget": "1.5e10"})  # fmt: skip
            assert r.status_code == 200 and "ndfeb-plant" in r.text
            firm = TestClient(server)
            sign_in(firm, "firm01")
            assert firm.get("/console/programmes").status_code in (403, 404)
            world = World(c, server.state.platform)
            analyst, supplier_firm = world.analyst(), world.firm("Maker")
            case = _case(_country("JPN", stock=200), _country("KOR", max_buy_per_day=0))
            api = c.post("/api/v1/programmes/stockpile", json=case, headers=analyst)
            assert api.status_code == 200 and api.json()["lending"][0]["from"] == "JPN"
            assert c.post("/api/v1/programmes/stockpile", json=case,
                          headers=supplier_firm).status_code == 403  # fmt: skip
            wrong = c.post("/api/v1/programmes/stockpile", headers=analyst,
                           json=case | {"countries": [_country("JPN", max_shortfall_share=3)]})  # fmt: skip
            assert wrong.status_code == 422 and "max_shortfall_share" in wrong.text
            plan_ = c.post("/api/v1/programmes/support", headers=analyst, json={
                "budget": 5, "measures": [{"id": "a", "kind": "stockpile", "product": "811292",
                                           "cost": 2, "shortfall_reduction_usd": 3}]})  # fmt: skip
            assert plan_.status_code == 200 and plan_.json()["chosen"] == ["a"]


def test_support_importance_from_a_table_and_from_a_network(tmp_path: Path) -> None:
    from shared_data import DATA

    measures = tmp_path / "measures.yaml"
    measures.write_text(yaml.safe_dump({"measures": [
        {"id": "ga", "kind": "stockpile", "product": "811292", "cost": 2e9,
         "shortfall_reduction_usd": 1e9},
        {"id": "mag", "kind": "onshoring", "product": "850511", "cost": 2e9,
         "shortfall_reduction_usd": 1e9},
        {"id": "hf", "kind": "diversification", "product": "281111", "cost": 2e9,
         "shortfall_reduction_usd": 1e9}],
        "products": {"281111": {"importance": 5.0}}}))  # fmt: skip
    out = CliRunner().invoke(app, [
        "support", "plan", str(measures), "--budget", "2e9", "--format", "json",
        "--mrio-dir", str(DATA / "wiod2013_mrio"), "--concordance",
        str(DATA / "hs_industry_concordances" / "hs6_isic3.csv.gz"), "--importer", "JPN"])  # fmt: skip
    assert out.exit_code == 0, out.output
    got = {r["product"]: r for r in json.loads(out.output)["importance"]}
    assert got["281111"] == {"product": "281111", "importance": 5.0, "source": "file"}
    for hs in ("811292", "850511"):  # an extraction loses at least the block itself
        assert got[hs]["importance"] >= 1.0 and got[hs]["source"] == "sector_extraction"
    assert json.loads(out.output)["chosen"] == ["hf"]  # the file's 5 beats any multiplier here
    firms = tmp_path / "firms.csv"
    firms.write_text(
        "firm_id,name,country,sector,output\nR,HF maker,KOR,chem,100\n"
        "P,Chips,JPN,chip,300\nQ,Chips 2,JPN,chip,300\nC,Cars,JPN,car,2000\n"
    )
    links = tmp_path / "links.csv"
    links.write_text(
        "supplier_id,buyer_id,product,value,essential\nR,P,281111,50,true\n"
        "R,Q,281111,50,true\nP,C,854231,150,false\nQ,C,854231,150,false\n"
    )
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump({"measures": [
        {"id": "hf", "kind": "diversification", "product": "281111", "cost": 1e9,
         "shortfall_reduction_usd": 1e8},
        {"id": "chips", "kind": "onshoring", "product": "854231", "cost": 1e9,
         "shortfall_reduction_usd": 1.5e8},
        {"id": "ga", "kind": "stockpile", "product": "811292", "cost": 1e9,
         "shortfall_reduction_usd": 1e8}]}))  # fmt: skip
    alone = json.loads(CliRunner().invoke(app, ["support", "plan", str(plain), "--budget",
                                                "1e9", "--format", "json"]).output)  # fmt: skip
    assert alone["chosen"] == ["chips"]  # unweighted, the larger cut wins
    out = CliRunner().invoke(app, ["support", "plan", str(plain), "--budget", "1e9", "--format",
                                   "json", "--network-firms", str(firms), "--network-links",
                                   str(links)])  # fmt: skip
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    got = {r["product"]: r for r in data["importance"]}
    # the one HF maker's failure stops both chip makers and, through them, part of the cars
    assert got["281111"]["importance"] > 1.5 * got["854231"]["importance"]
    assert got["811292"] == {"product": "811292", "importance": 1.0,
                             "source": "insufficient_data"}  # fmt: skip
    assert got["281111"]["source"] == "esri"
    assert data["chosen"] == ["hf"]
    bad = CliRunner().invoke(app, ["support", "plan", str(plain), "--budget", "1e9",
                                   "--network-firms", str(firms)])  # fmt: skip
    assert bad.exit_code == 2 and "--network-links" in bad.output
