"""The console on an analyst's own data: a real BACI file imported through the CLI's loader,
a bad file's problems listed with nothing kept, a firm network uploaded and chosen, and a
scenario run with no firm network at all (the firm layer skipped with a note, never a 500)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared_data import CMA, snapshot
from web.conftest import Site, csrf_of, seeded, sign_in

SCENARIO = """name: China restricts gallium and germanium
base_year: 2024
measures:
  - {type: export_restriction, by: CHN, products: ["811292"], targets: [JPN],
     share_blocked: 1.0, start: 2024-08, months: 12, pretext: security}
"""


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A platform whose workspace holds no demo world: only what the analyst brings."""
    with seeded(tmp_path_factory.mktemp("own")) as own_site:
        yield own_site


def _data(root: Path) -> dict[str, str]:
    """The workspace's files but the platform store's (which the audit log changes)."""
    return {k: v for k, v in snapshot(root).items() if not k.startswith("platform.db")}


def _post(c: TestClient, path: str, page: str, data: dict[str, str],
          files: dict[str, tuple[str, bytes]]) -> str:  # fmt: skip
    r = c.post(path, params={"csrf_token": csrf_of(page)}, data=data, files=files)
    return f"{r.status_code}\n{r.text}"


def test_an_analyst_works_on_own_data(own: Site, baci_dir: Path) -> None:
    c = own.client()
    sign_in(c, "analyst2")
    page = c.get("/console/data").text
    assert "Insufficient data: the workspace holds no trade data." in page
    # a scenario with no trade data and no firm network: a clear message, not a 500
    r = c.get("/console/scenarios")
    assert r.status_code == 200 and "None: trade data only" in r.text
    # a broken BACI file: every problem listed, nothing stored
    before = _data(own.workspace)
    codes = (CMA / "country_codes_V202601.csv").read_bytes()
    bad = b"t,i,j,k,v,q\n2024,156,392,811292,x,1\n2024,999,392,811292,5,1\n"
    out = _post(c, "/console/data/import", page, {"kind": "baci"},
                {"file": ("BACI_HS17_Y2024_V202601.csv", bad),
                 "extra": ("country_codes_V202601.csv", codes)})  # fmt: skip
    assert out.startswith("422") and "Nothing was stored" in out
    assert "not a number" in out and "unknown country code" in out
    assert "BACI_HS17_Y2024_V202601.csv" in out and ".uploads" not in out
    assert _data(own.workspace) == before
    # the real file
    good = (baci_dir / "BACI_HS17_Y2024_V202601.csv").read_bytes()
    out = _post(c, "/console/data/import", page, {"kind": "baci"},
                {"file": ("BACI_HS17_Y2024_V202601.csv", good),
                 "extra": ("country_codes_V202601.csv", codes)})  # fmt: skip
    assert out.startswith("200") and "Imported" in out and "2024" in out
    assert not list((own.workspace / ".uploads").glob("*/*"))  # staging cleaned
    # screening Japan on it, then the scenario with no firm network
    r = c.get("/console/screen", params={"importer": "JPN", "preset": "meti"})
    assert r.status_code == 200 and "811292" in r.text
    page = c.get("/console/scenarios").text
    out = _post(c, "/console/scenarios", page, {"scenario": SCENARIO, "network": ""}, {})
    assert out.startswith("200"), out[:2000]
    assert "The firm layer was skipped" in out and "Shortfall" in out


def test_a_bad_file_is_explained_in_the_readers_language(own: Site) -> None:
    c = own.client()
    sign_in(c, "analyst2")
    c.cookies.set("lang", "ja")
    page = c.get("/console/data").text
    codes = (CMA / "country_codes_V202601.csv").read_bytes()
    bad = b"t,i,j,k,v,q\n2024,156,392,811292,x,1\n2024,999,392,811292,5,1\n2024,156,392,81129,5,1\n"
    out = _post(c, "/console/data/import", page, {"kind": "baci"},
                {"file": ("BACI_HS17_Y2024_V202601.csv", bad),
                 "extra": ("country_codes_V202601.csv", codes)})  # fmt: skip
    assert out.startswith("422")
    out = html.unescape(out)
    assert "数値ではありません: 'x'（想定: 1234.5 のような数）" in out
    assert "不明な国コード: '999'" in out
    assert "HS コードが 6 桁ではありません: '81129'" not in out  # a lost leading zero restored
    assert "not a number" not in out and "unknown country code" not in out


def test_a_firm_network_is_checked_stored_and_chosen(own: Site, baci_dir: Path) -> None:
    c = own.client()
    sign_in(c, "analyst2")
    page = c.get("/console/data").text
    out = _post(c, "/console/data/import", page, {"kind": "baci"},
                {"file": ("BACI_HS17_Y2024_V202601.csv",
                          (baci_dir / "BACI_HS17_Y2024_V202601.csv").read_bytes()),
                 "extra": ("country_codes_V202601.csv",
                           (CMA / "country_codes_V202601.csv").read_bytes())})  # fmt: skip
    assert out.startswith("200")  # imported here or, unchanged, by the other test
    firms = b"firm_id,name,country,sector,output\nA,Mine,CHN,B07,10\nB,Maker,JPN,C29,30\n"
    links = b"supplier_id,buyer_id,product,value,essential\nA,B,811292,5,true\n"
    broken = b"supplier_id,buyer_id,product,value,essential\nA,Z,811292,5,true\n"
    out = _post(c, "/console/data/networks", page, {"name": "ours"},
                {"firms": ("firms.csv", firms), "links": ("my-links.csv", broken)})  # fmt: skip
    assert out.startswith("422") and "my-links.csv" in out
    assert not (own.workspace / "networks" / "ours").exists()
    out = _post(c, "/console/data/networks", page, {"name": "ours"},
                {"firms": ("firms.csv", firms), "links": ("links.csv", links)})  # fmt: skip
    assert out.startswith("200") and "2 firms, 1 links" in out
    page = c.get("/console/scenarios").text
    assert '<option value="ours">ours</option>' in page
    out = _post(c, "/console/scenarios", page, {"scenario": SCENARIO, "network": "ours"}, {})
    if out.startswith("200"):
        assert (
            "Firm network output lost (ours)" in out
            and "synthetic" not in out.split("Firm network output lost")[1][:80]
        )
    else:  # no trade data for 2024 in this order of tests: a clear message all the same
        assert out.startswith("422") and "import" in out
    denied = own.client()
    sign_in(denied, "firm01")
    r = denied.post("/console/data/networks", params={"csrf_token": "x"}, data={"name": "x"})
    assert r.status_code in (403, 404)


def test_the_demo_network_is_labelled_synthetic_beside_its_result(site: Site) -> None:
    from econsec.app.demo import DEMO_SCENARIO
    from econsec.synthetic.world import SYNTHETIC_LABEL

    c = site.client()
    sign_in(c, "analyst2")
    page = c.get("/console/scenarios").text
    assert '<option value="demo">demo (synthetic)</option>' in page
    out = _post(c, "/console/scenarios", page,
                {"scenario": DEMO_SCENARIO.read_text("utf-8"), "network": "demo"}, {})  # fmt: skip
    assert out.startswith("200")
    assert f"Firm network output lost (demo ({SYNTHETIC_LABEL}))" in out


def test_the_demo_scenario_runs_day_by_day_on_the_demo_network(site: Site) -> None:
    from econsec.app.demo import DEMO_SCENARIO

    c = site.client()
    sign_in(c, "analyst2")
    page = c.get("/console/scenarios").text
    assert 'name="dynamic" value="firm"' in page
    form = {"scenario": DEMO_SCENARIO.read_text("utf-8"), "network": "demo", "dynamic": "firm",
            "days": "200"}  # fmt: skip
    out = _post(c, "/console/scenarios", page, form, {})
    assert out.startswith("200"), out[:300]
    assert "Day by day, with inventories" in out and "Output lost over 200 days" in out
    assert "Output and value added lost per day, with inventories" in out
    assert "scenario-first-short-day.csv" in out or "No sector lacks an input" in out
    out = _post(c, "/console/scenarios", page, {**form, "days": "0"}, {})
    assert out.startswith("422") and "from 1 to 3650" in out
    c.cookies.set("lang", "ja")
    page = c.get("/console/scenarios").text
    out = _post(c, "/console/scenarios", page, form, {})
    assert out.startswith("200") and "在庫を考慮した日ごとの推移" in out
    assert "200 日間の生産の損失" in out


def test_exports_work_in_the_browser_session_and_open_in_excel(site: Site) -> None:
    c = site.client()
    sign_in(c, "analyst2")
    r = c.get("/console/intelligence/incidents.csv")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    assert r.headers["content-disposition"] == 'attachment; filename="incidents.csv"'
    assert b"\r\n" in r.content and b"\n" not in r.content.replace(b"\r\n", b"")
    page = c.get("/console/screen", params={"importer": "JPN", "year": 2024}).text
    assert 'href="/console/screen.csv?importer=JPN&amp;year=2024' in page
    r = c.get("/console/screen.csv", params={"importer": "JPN", "year": 2024})
    text = r.content.decode("utf-8-sig")
    assert r.status_code == 200 and text.startswith("importer,importer_name,product,product_name")
    assert "\r\nJPN,Japan," in text
    firm = site.client()
    sign_in(firm, "firm01")
    assert firm.get("/console/screen.csv", params={"year": 2024}).status_code in (403, 404)


def test_the_register_and_events_are_sorted_and_paged(site: Site) -> None:
    c = site.client()
    sign_in(c, "analyst2")
    page = c.get("/console/intelligence").text
    assert '<select id="sort" name="sort">' in page
    by_title = c.get("/console/intelligence", params={"sort": "title"}).text
    titles = re.findall(r'<td lang="en">([^<]+)</td>', by_title)
    assert titles and titles == sorted(titles, key=str.lower)
    newest = re.findall(r'<td lang="en">([^<]+)</td>', page)
    assert sorted(newest) == sorted(titles)  # the same incidents, another order
    odd = c.get("/console/intelligence", params={"sort": "nonsense", "page": "999"})
    assert odd.status_code == 200  # an unknown order or page falls back, never a 500


def _barley_flows() -> bytes:
    """AUS and CAN ship barley to CHN monthly; AUS's shipments collapse from June 2020."""
    lines = ["period,exporter,importer,product,value"]
    for t in range(84):
        for x, level in (("AUS", 100.0), ("CAN", 60.0)):
            cut = 0.05 if x == "AUS" and t >= 65 else 1.0
            wobble = 1 + 0.05 * ((t * 7 + len(x)) % 5 - 2) / 2
            lines.append(
                f"{2015 + t // 12}-{t % 12 + 1:02d},{x},CHN,100310,{level * cut * wobble:.2f}"
            )
    return ("\n".join(lines) + "\n").encode()


def test_the_register_and_the_events_filter_and_export_what_is_shown(own: Site) -> None:
    c = own.client()
    sign_in(c, "analyst2")
    out = _post(c, "/console/intelligence/detect", c.get("/console/intelligence").text, {},
                {"file": ("barley.csv", _barley_flows())})  # fmt: skip
    assert out.startswith("200") and "1 events found in barley.csv" in out
    shown = c.get("/console/intelligence", params={"exporter": "aus"}).text
    assert '<span class="code" translate="no">AUS</span> Australia' in shown
    assert ('href="/console/intelligence/events.csv?exporter=AUS&amp;importer=&amp;product=&amp;'
            'events_sort=confidence"') in shown  # fmt: skip
    by_drop = c.get("/console/intelligence", params={"events_sort": "drop"}).text
    assert '<option value="drop" selected>' in by_drop
    assert "No event matches the filter." in c.get("/console/intelligence",
                                                   params={"exporter": "CAN"}).text  # fmt: skip
    rows = c.get("/console/intelligence/events.csv", params={"product": "1003"})
    assert rows.status_code == 200 and rows.content.startswith(b"\xef\xbb\xbf")
    lines = rows.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("exporter,exporter_name,importer,importer_name,product,")
    assert lines[1].startswith("AUS,Australia,CHN,China,100310,") and lines[2:] == [""]
    assert c.get("/console/intelligence/events.csv", params={"exporter": "CAN"}).content \
        .decode("utf-8-sig").count("\r\n") == 1  # the header only  # fmt: skip
    # the register: filtered by a country implementing or affected, and by assessment
    everything = c.get("/console/intelligence/incidents.csv").content.decode("utf-8-sig")
    only_aus = c.get("/console/intelligence/incidents.csv", params={"country": "aus"})
    aus = only_aus.content.decode("utf-8-sig").split("\r\n")[1:-1]
    assert aus and len(aus) < everything.count("\r\n") - 1
    assert all("AUS" in line for line in aus)
    page = c.get("/console/intelligence", params={"country": "AUS", "assessment": "nonsense"})
    assert page.status_code == 200  # an unknown assessment is no filter, never a 500
    titles = re.findall(r'<td lang="en">([^<]+)</td>', page.text)
    assert len(titles) == len(aus)
    firm = own.client()
    sign_in(firm, "firm01")
    assert firm.get("/console/intelligence/events.csv").status_code in (403, 404)
