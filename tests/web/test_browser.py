"""End to end in a real browser (Debian's Chromium, headless, driven by Playwright): a firm
fixes a bad CSV and submits; a cleared analyst previews and publishes a release; another firm
sees the alert; the language switches to Japanese. Screenshots of the main pages are written
to ``build/screenshots`` (or ``$ECONSEC_SCREENSHOTS``)."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from econsec.app.platform import Platform
from econsec.app.seed import DEMO_PASSWORD
from econsec.sharing.disclosure import check
from econsec.sharing.releases import Release
from servers import free_port, wait_until
from shared_data import ROOT
from web.conftest import Site

SHOTS = Path(os.environ.get("ECONSEC_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _chromium() -> str:
    found = os.environ.get("ECONSEC_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("install Debian's chromium (see .ci/run) or set ECONSEC_CHROMIUM")
    return found


@pytest.fixture(scope="module")
def base_url(site: Site) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 20)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_chromium(), headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])  # fmt: skip
        yield b
        b.close()


def _page(browser: Browser, base_url: str, errors: list[str]) -> Page:
    context = browser.new_context(base_url=base_url, locale="en-GB",
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
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert (SHOTS / f"{name}.png").stat().st_size > 5_000


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
    assert not errors, errors


def _releases(p: Platform) -> list[tuple[Release, frozenset[str]]]:
    from econsec.storage import platform as store

    with p.read() as conn:
        return store.release_rows(conn, p.ring, contributors=False)
