"""End to end in a real browser (Debian's Chromium, headless, driven by Playwright): a firm
fixes a bad CSV and submits; a cleared analyst previews and publishes a release; another firm
sees the alert; the language switches to Japanese. Screenshots of the main pages are written
to ``build/screenshots`` (or ``$ECONSEC_SCREENSHOTS``)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from econsec.app.platform import Platform
from econsec.app.seed import DEMO_PASSWORD
from econsec.sharing.disclosure import check
from econsec.sharing.releases import Release
from servers import serving
from shared_data import ROOT
from web.conftest import Site, seeded

SHOTS = Path(os.environ.get("ECONSEC_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _chromium() -> str:
    found = os.environ.get("ECONSEC_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("install Debian's chromium (see .ci/run) or set ECONSEC_CHROMIUM")
    return found


@pytest.fixture(scope="module")
def base_url(site: Site) -> Iterator[str]:
    with serving(site.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_chromium(), headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])  # fmt: skip
        yield b
        b.close()


def _page(browser: Browser, base_url: str, errors: list[str], locale: str = "en-GB") -> Page:
    context = browser.new_context(base_url=base_url, locale=locale,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()
    expected = "(Unprocessable Entity)"  # the page showing a rejected upload answers 422

    def console(m: object) -> None:
        if m.type == "error" and expected not in m.text:  # type: ignore[attr-defined]
            errors.append(m.text)  # type: ignore[attr-defined]

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _sign_in(page: Page, user: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _shot(page: Page, name: str) -> None:
    """A screenshot of the page as the reader first sees it (JPEG, small enough for the docs)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.jpg"
    page.screenshot(path=str(path), type="jpeg", quality=70)
    assert path.stat().st_size > 5_000


def test_firm_fixes_a_bad_csv_then_submits(browser: Browser, base_url: str, tmp_path: Path) -> None:
    errors: list[str] = []
    page = _page(browser, base_url, errors)
    _sign_in(page, "firm05")
    _shot(page, "01-firm-start")
    header = "supplier_name,country,product,tier,input_share,single_source,inventory_days\n"
    bad = tmp_path / "suppliers.csv"
    bad.write_text(header + "Hokkai Rare Earths,CHN,850511,1,0.5,true,40\n"
                   "Nord Gallium GmbH,DEU,811292,1,1.7,false,20\n")  # fmt: skip
    page.goto("/portal/suppliers")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was stored")
    expect(alert.locator("tr", has_text="input_share")).to_contain_text("2")
    _shot(page, "02-firm-upload-error")
    bad.write_text(header + "Hokkai Rare Earths,CHN,850511,1,0.5,true,40\n"
                   "Nord Gallium GmbH,DEU,811292,1,0.7,false,20\n")  # fmt: skip
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("2 suppliers submitted")
    _shot(page, "03-firm-submissions")
    page.goto("/portal/exposure")
    expect(page.locator(".chart svg").first).to_be_visible()  # Plotly drew, from local assets
    _shot(page, "04-firm-exposure")
    assert not errors, errors


def test_analyst_previews_and_publishes_then_another_firm_sees_the_alert(
    site: Site, browser: Browser, base_url: str
) -> None:
    p = site.app.state.platform
    released = {release.finding_id for release, _ in _releases(p)}
    finding = next(f for f in p.findings()  # the seed leaves some the guard allows
                   if f.id not in released and check(f.contributions).allowed)  # fmt: skip
    errors: list[str] = []
    page = _page(browser, base_url, errors)
    _sign_in(page, "analyst")
    page.goto("/console/findings")
    _shot(page, "05-analyst-findings")
    row = page.locator("tr", has_text=finding.subject).filter(has_text=finding.product).first
    row.get_by_role("link", name="Compose a release").click()
    page.get_by_label("Audience").select_option("all_firms")
    page.get_by_role("button", name="Preview").click()  # htmx swaps the preview in
    expect(page.locator("#preview")).to_contain_text("The disclosure guard allows this release")
    _shot(page, "06-analyst-release-preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published to all_firms")
    for path, name in (("/console/screen?importer=JPN&flagged=1", "07-analyst-screen"),
                       ("/console/scenarios", "08-analyst-scenarios"),
                       ("/console/intelligence", "10-analyst-intelligence")):  # fmt: skip
        page.goto(path)
        _shot(page, name)
    expect(page.locator("table").first).to_contain_text("Russia")  # the register's seed
    page.goto("/console/scenarios")
    page.get_by_role("button", name="Run the scenario").click()
    expect(page.locator(".chart svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Affected sectors")).to_be_visible()
    _shot(page, "09-analyst-scenario-result")
    assert not errors, errors

    firm = _page(browser, base_url, errors)
    _sign_in(firm, "firm02")
    firm.goto("/portal/alerts")
    subject = re.compile(re.escape(finding.subject.split()[0]), re.IGNORECASE)
    expect(firm.locator(".alert").first).to_contain_text(subject)
    _shot(firm, "11-firm-alerts")
    # the language: Japanese throughout, dates in the Japanese form
    firm.get_by_label("Language").select_option("ja")
    firm.get_by_role("button", name="Change").click()
    expect(firm.locator("html")).to_have_attribute("lang", "ja")
    expect(firm.get_by_role("heading", level=1)).to_have_text("警報とベンチマーク")
    expect(firm.locator(".alert .meta").first).to_contain_text("/")
    expect(firm.locator(".alert").first).to_contain_text("参加企業")  # the alert itself too
    firm.goto("/portal/submissions")
    expect(firm.get_by_role("button", name="ログアウト")).to_be_visible()
    _shot(firm, "12-firm-submissions-ja")
    firm.get_by_label("言語").select_option("en")  # as it was, for the other tests
    firm.get_by_role("button", name="変更").click()
    expect(firm.locator("html")).to_have_attribute("lang", "en")
    assert not errors, errors


def _releases(p: Platform) -> list[tuple[Release, frozenset[str]]]:
    from econsec.storage import platform as store

    with p.read() as conn:
        return store.release_rows(conn, p.ring, contributors=False)


#: Words a Japanese page may show in Latin letters: the product's name, proper names and the
#: names of standards. Codes (CHN, HS, HHI, CSV, TLP:AMBER, ...) are allowed by their form.
PROPER_NAMES = {"econsec", "BACI", "CEPII", "Comtrade", "GeoDep", "Excel", "Plotly", "STIX",
                "Parquet", "gzip", "period", "exporter", "importer",
                "TAXII", "METI", "English", "firm_id", "supplier_id", "buyer_id", "name",
                "country", "sector", "output", "product", "value", "essential", "all_firms",
                "sector:CODE", "sector:C29"}  # fmt: skip
#: The text of a page a reader sees, without data written in English (marked lang="en"),
#: names and method identifiers (translate="no"), codes, form values, what is hidden, and the
#: charts' drawing (their titles and captions are checked in the figure's caption).
VISIBLE_TEXT = """() => {
  const skip = 'script,style,code,kbd,[lang=en],[translate=no],.code,option,textarea,input,.chart';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest(skip)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join(' ');
}"""


def _english_words(page: Page) -> set[str]:
    text = page.evaluate(VISIBLE_TEXT)
    words = set(re.findall(r"[A-Za-z][A-Za-z_:'-]*[A-Za-z]", text))
    return {w for w in words if w not in PROPER_NAMES and not re.fullmatch(r"[A-Z0-9:_-]{2,}", w)
            and not re.fullmatch(r"[A-Z][a-z]?\d*", w)}  # fmt: skip


def _sign_in_ja(page: Page, user: str) -> None:
    page.goto("/login")
    page.locator("#username").fill(user)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


CONSOLE = (
    "/",
    "/console/data",
    "/console/screen?importer=JPN",
    "/console/scenarios",
    "/console/programmes",
    "/console/findings",
    "/console/intelligence",
    "/console/surveys",
)
PORTAL = (
    "/",
    "/portal/submissions",
    "/portal/suppliers",
    "/portal/exposure",
    "/portal/alerts",
    "/portal/surveys",
)


def _pages(firm: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every page of an analyst, of ``firm`` (a firm whose language is the browser's), of a
    reviewer and of a critical-infrastructure operator."""
    return (("analyst", CONSOLE), (firm, PORTAL), ("reviewer1", ("/console/reviews",)),
            ("operator1", ("/portal/plans",)))  # fmt: skip


def test_every_page_in_english_has_no_console_error(browser: Browser, base_url: str) -> None:
    errors: list[str] = []
    for user, pages in _pages("firm02"):
        page = _page(browser, base_url, errors)
        _sign_in(page, user)
        for path in pages:
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", "en")
            name = path.strip("/").replace("/", "-").split("?")[0] or "home"
            _shot(page, f"en-{'firm' if user.startswith('firm') else user}-{name}")
        page.context.close()
    assert not errors, errors


def test_every_japanese_page_is_in_japanese(browser: Browser, base_url: str) -> None:
    errors: list[str] = []
    untranslated: dict[str, set[str]] = {}
    for user, pages in _pages("firm03"):
        page = _page(browser, base_url, errors, "ja-JP")
        _sign_in_ja(page, user)
        for path in pages:
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            if words := _english_words(page):
                untranslated[path] = words
            name = path.strip("/").replace("/", "-").split("?")[0] or "home"
            _shot(page, f"ja-{'firm' if user.startswith('firm') else user}-{name}")
        page.context.close()
    assert untranslated == {}, "\n".join(f"{k}: {sorted(v)}" for k, v in untranslated.items())
    assert not errors, errors


@pytest.fixture(scope="module")
def own_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A platform whose workspace holds no trade data and no firm network."""
    with seeded(tmp_path_factory.mktemp("own-browser")) as own, serving(own.app) as url:
        yield url


def test_analyst_imports_real_baci_screens_japan_runs_a_scenario_and_exports(
    browser: Browser, own_url: str, baci_dir: Path, tmp_path: Path
) -> None:
    from shared_data import CMA

    errors: list[str] = []
    page = _page(browser, own_url, errors, "ja-JP")
    _sign_in_ja(page, "analyst2")
    page.goto("/console/data")
    expect(page.locator("main")).to_contain_text("データ不足")
    page.get_by_label("ファイルの種類").select_option("baci")
    page.get_by_label("貿易データファイル（CSV、gzip圧縮CSV、Parquet）").set_input_files(
        str(baci_dir / "BACI_HS17_Y2024_V202601.csv"))  # fmt: skip
    page.get_by_label("国コード表（BACI）または列の対応表（その他の表）").set_input_files(
        str(CMA / "country_codes_V202601.csv"))  # fmt: skip
    page.get_by_role("button", name="取り込み").click()
    expect(page.get_by_role("status").first).to_contain_text("取り込みました")
    _shot(page, "13-analyst-data-ja")
    page.goto("/console/screen?importer=JPN&preset=meti")
    expect(page.locator("table.sortable")).to_contain_text("811292")
    expect(page.locator("table.sortable")).to_contain_text("中国")  # names beside codes
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV で書き出し").first.click()
    saved = tmp_path / "screen.csv"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\xef\xbb\xbfimporter,importer_name")
    _shot(page, "14-analyst-screen-ja")
    page.goto("/console/scenarios")
    page.get_by_role("button", name="シナリオを実行").click()
    expect(page.locator("main")).to_contain_text("企業ネットワークが選ばれていないため")
    _shot(page, "15-analyst-scenario-no-network-ja")
    products = page.locator("table.data[data-export='scenario-products.csv']")
    expect(products).to_contain_text("811292")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV で書き出し").last.click()
    download.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig")
    assert text.startswith("輸入国,品目,不足額,") and '\r\nJPN 日本,"850511 永久磁石：' in text
    assert not errors, errors


#: Cells a spreadsheet would run, quotes, commas, Japanese and numbers (which stay numbers).
TRICKY = [["=HYPERLINK(\"http://x\")", "-5", "a,b", "レアアース"],
          ["'=x", "12.5", 'say "no"', "@SUM(A1)"], ["+1", "-", "", "=1+1"]]  # fmt: skip


def test_every_listing_table_sorts_filters_pages_and_exports_as_python_does(
    browser: Browser, base_url: str, tmp_path: Path
) -> None:
    """The page script's CSV equals :func:`econsec.spreadsheet.csv_bytes` byte for byte (a
    cross-implementation check), and sorting, filtering and paging act on the rows."""
    from decimal import Decimal

    from econsec.spreadsheet import csv_bytes

    errors: list[str] = []
    page = _page(browser, base_url, errors)
    page.goto("/login")
    rows = TRICKY + [[f"row {n}", str(n), "x", "y"] for n in range(40, 10, -1)]
    page.evaluate("""rows => {
        const t = document.createElement("table");
        t.className = "data"; t.dataset.export = "tricky.csv";
        t.innerHTML = "<thead><tr><th>Name</th><th>Value</th><th data-filter>Kind</th>" +
                      "<th>Note</th></tr></thead><tbody></tbody>";
        for (const r of rows) {
            const tr = t.tBodies[0].insertRow();
            for (const v of r) tr.insertCell().textContent = v;
        }
        document.querySelector("main").appendChild(t);
        document.dispatchEvent(new Event("DOMContentLoaded"));
    }""", rows)  # fmt: skip
    table = page.locator("table.data")
    expect(page.locator(".table-count")).to_have_text("33 of 33 rows")
    expect(page.locator("nav.pager")).to_contain_text("Page 1 of 2")
    expect(table.locator("tbody tr:visible")).to_have_count(25)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export as CSV").click()
    assert download.value.suggested_filename == "tricky.csv"
    download.value.save_as(tmp_path / "tricky.csv")

    def cell(v: str) -> object:
        return Decimal(v) if re.fullmatch(r"-?\d+(\.\d+)?", v) else v

    expected = csv_bytes(["Name", "Value", "Kind", "Note"], [[cell(v) for v in r] for r in rows])
    assert (tmp_path / "tricky.csv").read_bytes() == expected
    page.get_by_role("button", name="Value").click()  # numbers sort as numbers; blanks last
    first = table.locator("tbody tr:visible td:nth-child(2)")
    expect(first.first).to_have_text("-5")
    page.get_by_role("button", name="Value").click()
    expect(first.first).to_have_text("40")
    page.get_by_label("Filter rows").fill("row 1")
    expect(page.locator(".table-count")).to_have_text("9 of 33 rows")
    expect(page.locator("nav.pager")).to_be_empty()
    page.get_by_label("Filter rows").fill("")
    page.get_by_label("Kind").select_option("a,b")
    expect(table.locator("tbody tr:visible")).to_have_count(1)
    assert not errors, errors
