"""Fetching real data without a browser: BACI release archives and the UN Comtrade API, against
stand-ins of both publishers on loopback that serve the real formats (no test reaches the
internet). Each failure a user meets — a cut connection, a corrupt archive, a wrong key, a spent
quota, a changed schema, no network, a proxy wanting credentials — gives a message naming what to
do, and leaves the workspace as it was."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from econsec.app.fetching import downloads, fetch_baci, fetch_comtrade
from econsec.cli import app
from econsec.errors import InputError, NotFoundError, SourceUnavailable, TooManyRequests
from econsec.storage.workspace import Workspace, import_flows
from econsec.trade import comtrade_api
from econsec.trade.baci import read_baci
from econsec.trade.remote import Remote
from publishers import KEY, Publisher, baci_archive, comtrade_records
from publishers import app as publisher_app
from servers import free_port, serving
from shared_data import snapshot

ARCHIVE = "BACI_HS17_V202601.zip"


@pytest.fixture(scope="module")
def publisher(baci_dir: Path) -> Iterator[tuple[Publisher, str]]:
    pub = Publisher(archives={ARCHIVE: baci_archive(baci_dir)}, records=comtrade_records())
    with serving(publisher_app(pub)) as url:
        yield pub, url


@pytest.fixture
def pub(publisher: tuple[Publisher, str]) -> Iterator[Publisher]:
    p = publisher[0]
    p.faults.clear(), p.seen.clear()
    p.listing = True
    yield p
    p.faults.clear()


@pytest.fixture
def url(publisher: tuple[Publisher, str]) -> str:
    return publisher[1]


class Clock:
    """The waits a fetch asked for, instead of sleeping them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while CLIENTS:
        CLIENTS.pop().close()


def _remote(clock: Clock | None = None, timeout: float = 5.0) -> Remote:
    CLIENTS.append(httpx.Client(timeout=timeout))
    return Remote(CLIENTS[-1], attempts=4, backoff=0.5, sleep=clock or Clock())


def _flows(ws: Workspace) -> list[tuple]:
    import duckdb

    files = sorted(str(p) for p in ws.root.rglob("*.parquet") if ".downloads" not in p.parts)
    sql = ("SELECT year, exporter, importer, product, value_usd FROM read_parquet(?) "
           "ORDER BY ALL")  # fmt: skip
    return duckdb.connect().execute(sql, [files]).fetchall()


def test_a_baci_release_is_fetched_checked_and_imported_as_a_file_would_be(
    pub: Publisher, url: str, baci_dir: Path, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "fetched")
    seen: list[tuple[str, int, int | None]] = []
    fetched = fetch_baci(ws, "V202601", "HS17", [2024], base=f"{url}/baci", remote=_remote(),
                         progress=lambda what, done, total: seen.append((what, done, total)))  # fmt: skip
    assert fetched.downloaded is not None and not fetched.downloaded.resumed
    (result,) = fetched.imports
    assert result.years == (2024,) and result.rows_stored > 1000
    size = len(pub.archives[ARCHIVE])
    assert (ARCHIVE, size, size) in seen  # the download's progress reached the whole file
    record = downloads(ws)[ARCHIVE]
    assert record["size"] == size and len(record["sha256"]) == 64
    # the same flows as importing the downloaded file by hand
    by_hand = Workspace(tmp_path / "by-hand")
    import_flows(by_hand, read_baci(baci_dir / "BACI_HS17_Y2024_V202601.csv"))
    assert _flows(ws) == _flows(by_hand)
    # fetching again changes nothing and downloads nothing
    before, requests = snapshot(ws.root), len(pub.seen)
    again = fetch_baci(ws, "V202601", "HS17", [2024], base=f"{url}/baci", remote=_remote())
    assert again.downloaded is None and [r.unchanged for r in again.imports] == [True]
    assert snapshot(ws.root) == before and len(pub.seen) == requests


def test_an_interrupted_download_resumes_where_it_stopped(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    pub.faults[:] = ["cut"]
    ws = Workspace(tmp_path / "ws")
    fetched = fetch_baci(ws, "V202601", "HS17", [2022], base=f"{url}/baci", remote=_remote())
    assert fetched.downloaded is not None and fetched.downloaded.resumed
    ranges = [s["range"] for s in pub.seen if s["path"].endswith(ARCHIVE)]
    half = len(pub.archives[ARCHIVE]) // 2
    assert ranges == [None, f"bytes={half}-"]  # the second request asks only for the rest
    assert fetched.imports[0].years == (2022,)


def test_a_corrupt_archive_is_refused_and_nothing_is_imported(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    good = pub.archives[ARCHIVE]
    broken = bytearray(good)
    broken[len(broken) // 3] ^= 0xFF  # inside the first year's compressed data
    pub.archives["BACI_HS17_V202602.zip"] = bytes(broken).replace(b"V202601", b"V202602")
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(SourceUnavailable, match="run the command again to download it afresh"):
        fetch_baci(ws, "V202602", "HS17", base=f"{url}/baci", remote=_remote())
    assert not ws.path("manifest.json").exists()
    assert not ws.path(".downloads", "BACI_HS17_V202602.zip").exists()


def test_an_unknown_release_names_the_releases_the_server_offers(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(NotFoundError, match=r"no BACI release V209901 for HS22 .* offers: HS17 "
                                            r"V202601"):  # fmt: skip
        fetch_baci(ws, "V209901", "HS22", base=f"{url}/baci", remote=_remote())
    pub.listing = False
    with pytest.raises(NotFoundError, match="see CEPII's BACI page"):
        fetch_baci(ws, "V209901", "HS22", base=f"{url}/baci", remote=_remote())
    with pytest.raises(InputError, match="expected a BACI release such as V202601"):
        fetch_baci(ws, "2026", "HS22", base=f"{url}/baci", remote=_remote())
    with pytest.raises(NotFoundError, match=r"has no year 2019 \(it has 2022-2024\)"):
        fetch_baci(ws, "V202601", "HS17", [2019], base=f"{url}/baci", remote=_remote())


def _calls(frequency: str = "A", reporters: tuple[str, ...] = ("JPN",),
           products: tuple[str, ...] = ("850511", "811292"), years: tuple[int, ...] = (2024,),
           partners: tuple[str, ...] | None = None) -> list[comtrade_api.Request]:  # fmt: skip
    return comtrade_api.requests(frequency, reporters, partners,
                                 comtrade_api.periods(years, frequency), products)  # fmt: skip


def test_comtrade_without_a_key_uses_the_preview_and_splits_what_the_limit_cuts(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    products = ("850511", "811292", "280530", "810194", "260200", "810411")
    fetched = fetch_comtrade(ws, _calls(reporters=("JPN", "USA", "DEU"), products=products),
                             api_base=url, remote=_remote())  # fmt: skip
    paths = {s["path"] for s in pub.seen}
    assert paths == {"/public/v1/preview/C/A/HS"} and all(s["key"] is None for s in pub.seen)
    full = [s for s in pub.seen if len(s["params"]["cmdCode"].split(",")) == len(products)]
    assert len(full) == 1 and len(pub.seen) > 2  # the first answer filled 500: split and re-asked
    assert {s["params"]["reporterCode"] for s in pub.seen} >= {"392,842,276"}
    expected = [r for r in pub.records if r["freqCode"] == "A" and r["cmdCode"] in products
                and r["reporterCode"] in (392, 842, 276)]  # fmt: skip
    assert len(expected) > 500
    (result,) = fetched.imports
    assert result.rows_read + sum((result.dropped or {}).values()) == len(expected)
    assert result.years == (2024,) and result.dropped == {"partner World or a non-country area": 30}
    # the records' values, in USD, as the Comtrade loader keeps them (importer-reported)
    jp = next(r for r in expected if r["reporterCode"] == 392 and r["flowCode"] == "M"
              and r["partnerCode"] == 156 and r["cmdCode"] == "850511")  # fmt: skip
    assert (2024, "CHN", "JPN", "850511", pytest.approx(jp["primaryValue"])) in [
        (y, x, m, p, v) for y, x, m, p, v in _flows(ws)]  # fmt: skip
    before = snapshot(ws.root)
    again = fetch_comtrade(ws, _calls(reporters=("JPN", "USA", "DEU"), products=products),
                           api_base=url, remote=_remote())  # fmt: skip
    assert [r.unchanged for r in again.imports] == [True] and snapshot(ws.root) == before


def test_comtrade_with_a_key_reads_it_from_the_environment_and_sends_it_as_a_header(
    pub: Publisher, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMTRADE_TEST_KEY", KEY)
    ws = Workspace(tmp_path / "ws")
    fetched = fetch_comtrade(ws, _calls(), api_base=url, key_env="COMTRADE_TEST_KEY",
                             remote=_remote())  # fmt: skip
    assert fetched.imports[0].rows_stored > 0
    (call,) = pub.seen
    assert call["path"] == "/data/v1/get/C/A/HS" and call["key"] == KEY
    assert KEY not in str(call["params"])  # never in the address
    assert "partnerCode" not in call["params"]  # partners: all
    assert (call["params"]["motCode"], call["params"]["customsCode"]) == ("0", "C00")


def test_a_wrong_key_or_a_spent_quota_says_so_and_imports_nothing(
    pub: Publisher, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    monkeypatch.setenv("COMTRADE_TEST_KEY", "not-the-key")
    with pytest.raises(SourceUnavailable, match=r"refused the subscription key in "
                                                r"\$COMTRADE_TEST_KEY \(401"):  # fmt: skip
        fetch_comtrade(ws, _calls(), api_base=url, key_env="COMTRADE_TEST_KEY", remote=_remote())
    assert "not-the-key" not in str(snapshot(tmp_path))
    monkeypatch.setenv("COMTRADE_TEST_KEY", KEY)
    pub.faults[:] = ["quota"]
    with pytest.raises(TooManyRequests, match=r"quota .* spent \(it resets in 2 h 10 min\)"):
        fetch_comtrade(ws, _calls(), api_base=url, key_env="COMTRADE_TEST_KEY", remote=_remote())
    monkeypatch.delenv("COMTRADE_TEST_KEY")
    with pytest.raises(InputError, match="COMTRADE_TEST_KEY is empty or not set"):
        fetch_comtrade(ws, _calls(), api_base=url, key_env="COMTRADE_TEST_KEY", remote=_remote())
    assert not ws.path("manifest.json").exists()


def test_rate_limits_transient_errors_and_timeouts_are_waited_out(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    clock = Clock()
    pub.faults[:] = ["429", "503", "timeout"]
    fetched = fetch_comtrade(Workspace(tmp_path / "ws"), _calls(), api_base=url,
                             remote=_remote(clock, timeout=0.5))  # fmt: skip
    assert fetched.imports[0].rows_stored > 0
    assert clock.waits == [1.0, 1.0, 2.0]  # Retry-After, then the doubling backoff
    pub.faults[:] = ["503"] * 4
    with pytest.raises(SourceUnavailable, match="answered 503"):
        fetch_comtrade(Workspace(tmp_path / "ws2"), _calls(), api_base=url, remote=_remote())


def test_a_changed_schema_is_named_not_misread(pub: Publisher, url: str, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    pub.faults[:] = ["schema"]
    with pytest.raises(SourceUnavailable, match=r"record 1 has no field 'primaryValue' \(it has: "
                                                r".*primaryValueUSD"):  # fmt: skip
        fetch_comtrade(ws, _calls(), api_base=url, remote=_remote())
    pub.faults[:] = ["not-json"]
    with pytest.raises(SourceUnavailable, match="the answer is not JSON"):
        fetch_comtrade(ws, _calls(), api_base=url, remote=_remote())
    assert not ws.path("manifest.json").exists()


def test_no_network_and_a_proxy_wanting_credentials_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SourceUnavailable, match=r"cannot reach 127\.0\.0\.1 .* set HTTPS_PROXY"):
        fetch_comtrade(ws, _calls(), api_base=closed, remote=_remote())
    # a proxy that wants credentials (HTTP_PROXY and HTTPS_PROXY are honoured)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")  # fmt: skip

        threading.Thread(target=answer, daemon=True).start()
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.getsockname()[1]}")
        with pytest.raises(SourceUnavailable, match="the proxy wants credentials"):
            fetch_comtrade(ws, _calls(), api_base="http://comtrade.example", remote=_remote())
    assert not ws.path("manifest.json").exists()


def test_the_commands_fetch_and_explain_without_a_traceback(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["data", "fetch", "baci", "--release", "V202601", "--hs",
                                      "HS17", "--years", "2022", "--base-url", f"{url}/baci",
                                      "--workspace", str(ws)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"downloaded {url}/baci/{ARCHIVE}" in result.output and "years 2022" in result.output
    result = CliRunner().invoke(app, ["data", "fetch", "comtrade", "--reporters", "JPN,KOR",
                                      "--partners", "all", "--years", "2024", "--products",
                                      "850511,811292", "--frequency", "A", "--api-base", url,
                                      "--workspace", str(ws)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "source 'comtrade'" in result.output
    bad = CliRunner().invoke(app, ["data", "fetch", "comtrade", "--reporters", "JPN", "--years",
                                   "2024", "--products", "85051", "--api-base", url,
                                   "--workspace", str(ws)])  # fmt: skip
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "HS code '085051' is in no HS revision" in bad.output
    ja = CliRunner().invoke(app, ["--lang", "ja", "data", "fetch", "baci", "--release", "V202601",
                                  "--hs", "HS17", "--years", "2022", "--base-url", f"{url}/baci",
                                  "--workspace", str(ws)])  # fmt: skip
    assert "に取り込み済みです。変更はありません" in ja.output  # a second fetch, in Japanese
    gone = CliRunner().invoke(app, ["data", "fetch", "baci", "--release", "V209901", "--hs",
                                    "HS22", "--base-url", f"{url}/baci", "--workspace", str(ws)])  # fmt: skip
    assert gone.exit_code == 3 and "HS17 V202601" in gone.output


WATCHLIST = """watches:
  - name: india-vaccines
    source: comtrade
    reporters: [IND]
    partners: all
    products: ["300220"]
    frequency: M
    since: 2011
"""


def test_a_watchlist_fetches_only_what_is_new_and_keeps_new_events_once(
    pub: Publisher, url: str, tmp_path: Path
) -> None:
    import datetime as dt

    from econsec.app.intelligence import keep_watch_events
    from econsec.app.platform import Platform
    from econsec.app.seed import seed_demo
    from econsec.app.watchlist import read_watchlist, refresh
    from econsec.server import create_app
    from service_world import settings_for

    (tmp_path / "watch.yaml").write_text(WATCHLIST)
    watches = read_watchlist(tmp_path / "watch.yaml", dt.date(2013, 3, 15))
    ws = Workspace(tmp_path / "ws")
    server = create_app(settings_for(f"sqlite:///{tmp_path / 'platform.db'}", ws.root))
    p: Platform = server.state.platform
    seed_demo(p)

    def keep(name: str, events: list) -> list:
        return keep_watch_events(p, name, events)

    def run(day: dt.date) -> list:
        return refresh(ws, watches, api_base=url, remote=_remote(), today=day, keep=keep)

    (first,) = run(dt.date(2013, 3, 15))
    asked = {s["params"]["period"] for s in pub.seen}
    assert {p for a in asked for p in a.split(",")} == {
        f"{y}{m:02d}" for y in (2011, 2012) for m in range(1, 13)} | {"201301", "201302"}  # fmt: skip
    assert len(first.new) == 26 and first.fetched is not None and first.events == ()
    # the next day: nothing new is published, nothing changes
    pub.seen.clear()
    before = snapshot(ws.root)
    (same,) = run(dt.date(2013, 3, 16))
    assert same.new == () and same.events == () and same.fetched is None
    assert pub.seen == [] and same.notes  # nothing due: no call at all
    assert {k: v for k, v in snapshot(ws.root).items() if "watch" not in k} == {
        k: v for k, v in before.items() if "watch" not in k}  # fmt: skip
    # ten months later: only the new months are asked for, and the drop of June 2013 is found
    pub.seen.clear()
    (later,) = run(dt.date(2014, 1, 15))
    asked = {p for s in pub.seen for p in s["params"]["period"].split(",")}
    assert asked == {f"2013{m:02d}" for m in range(3, 13)}
    found = {(e.exporter, e.importer, e.period) for e in later.events}
    assert ("USA", "IND", "2013-06") in found and later.kept_on_platform
    # kept once on the platform, for cleared analysts; a re-run adds nothing
    (again,) = run(dt.date(2014, 1, 16))
    assert again.events == ()
    with p.read() as conn:
        from econsec.storage import intelligence as intel

        stored = [e for e in intel.list_events(conn) if e[1] == "watch:india-vaccines"]
    assert len(stored) == len({(e[2].exporter, e[2].importer, e[2].period) for e in stored})
    assert ("USA", "IND", "2013-06") in {(e[2].exporter, e[2].importer, e[2].period)
                                        for e in stored}  # fmt: skip
    from fastapi.testclient import TestClient

    from web.conftest import sign_in

    with TestClient(server) as c:
        sign_in(c, "analyst2")
        page = c.get("/console/intelligence").text
        assert "New from the watchlists in the last 7 days" in page
        assert '<span translate="no">watch:india-vaccines</span>' in page
        firm = TestClient(server)
        sign_in(firm, "firm01")
        assert "watch:india-vaccines" not in firm.get("/console/intelligence").text
    p.dispose()


def test_a_second_refresh_while_one_runs_stops_and_a_bad_watchlist_is_named(
    url: str, tmp_path: Path
) -> None:
    import fcntl

    from econsec.app.watchlist import read_watchlist, refresh
    from econsec.errors import Conflict

    (tmp_path / "watch.yaml").write_text(WATCHLIST)
    ws = Workspace(tmp_path / "ws")
    lock = ws.path(".downloads", "watch", ".lock")
    lock.parent.mkdir(parents=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(Conflict, match="another watchlist refresh is running"):
            refresh(ws, read_watchlist(tmp_path / "watch.yaml"), api_base=url, remote=_remote())
    (tmp_path / "bad.yaml").write_text(WATCHLIST.replace("frequency: M", "frequency: Q"))
    with pytest.raises(InputError, match=r"bad.yaml: watch 1.frequency 'Q' \(expected A or M\)"):
        read_watchlist(tmp_path / "bad.yaml")
    result = CliRunner().invoke(app, ["watch", "refresh", "--watchlist", str(tmp_path / "bad.yaml"),
                                      "--workspace", str(ws.root)])  # fmt: skip
    assert result.exit_code == 2 and "Traceback" not in result.output
    (tmp_path / "one.yaml").write_text(WATCHLIST.replace("since: 2011", "since: 2020"))
    args = ["watch", "refresh", "--watchlist", str(tmp_path / "one.yaml"), "--api-base", url,
            "--workspace", str(ws.root), "--format", "json"]  # fmt: skip
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    (summary,) = json.loads(first.output)
    assert summary["watch"] == "india-vaccines" and len(summary["new_periods"]) == 12
    assert not summary["kept_on_platform"]  # no platform on this workspace
    again = json.loads(CliRunner().invoke(app, args).output)
    assert again[0]["new_periods"] == [] and again[0]["new_events"] == []
