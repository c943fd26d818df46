"""Real data in one command: a CEPII BACI release or a UN Comtrade query fetched into a
workspace and imported through the same loaders as a downloaded file.

Downloads go to the workspace's ``.downloads`` folder. Each finished download is recorded in
``.downloads/downloads.json`` with its address, size and SHA-256; a file whose bytes still match
its record is not fetched again, and importing the same bytes again changes nothing (the
workspace's own rule), so fetching what is already imported changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from econsec.errors import InputError, NotFoundError, SourceUnavailable
from econsec.i18n import N_
from econsec.reference.countries import to_alpha3
from econsec.storage.workspace import ImportResult, Workspace, file_sha256, import_flows
from econsec.trade import comtrade_api
from econsec.trade.remote import Downloaded, Remote, download, get

__all__ = [
    "BACI_BASE",
    "Fetched",
    "Progress",
    "baci_releases",
    "downloads",
    "fetch_baci",
    "fetch_comtrade",
    "write_json",
]

#: CEPII's download location of BACI releases (``BACI_HS22_V202601.zip``).
BACI_BASE = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data"
DOWNLOADS = ".downloads"
_RELEASE = re.compile(r"^V20\d\d\d\d[a-z]?$")
_HS = re.compile(r"^HS(92|96|02|07|12|17|22)$")
_ARCHIVE = re.compile(r"BACI_(HS\d\d)_(V20\d{4}[a-z]?)\.zip")

#: Progress of a long step: (what, done, total or None).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch did: the file it fetched (None when the cached one was whole), the imports
    (one per file), and a note when there was nothing to import."""

    source: str
    url: str
    downloaded: Downloaded | None
    imports: tuple[ImportResult, ...]
    note: str = ""
    #: (reporter, period) pairs the answer held data for (UN Comtrade)
    held: tuple[tuple[str, str], ...] = ()


def downloads(ws: Workspace) -> dict[str, dict[str, Any]]:
    """The record of finished downloads: file name → url, size, sha256, fetched (UTC)."""
    path = ws.path(DOWNLOADS, "downloads.json")
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text("utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _record(ws: Workspace, got: Downloaded, url: str) -> None:
    record = downloads(ws)
    record[got.path.name] = {"url": url, "size": got.size, "sha256": got.sha256,
                             "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}  # fmt: skip
    write_json(ws.path(DOWNLOADS, "downloads.json"), record)


def write_json(path: Path, data: object) -> None:
    """``data`` as JSON at ``path``, written whole or not at all (a sibling file renamed)."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    partial.replace(path)


def baci_releases(remote: Remote, base: str) -> list[str]:
    """``HS22 V202601``-style names of the archives the server's listing offers ([] when the
    server gives no listing)."""
    try:
        response = get(remote, base.rstrip("/") + "/")
    except SourceUnavailable:
        return []
    if response.status_code != 200:
        return []
    return sorted({f"{hs} {release}" for hs, release in _ARCHIVE.findall(response.text)})


def _check_archive(path: Path) -> list[str]:
    """The archive's member names, after checking every member's CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        path.unlink(missing_ok=True)
        raise SourceUnavailable(f"{path.name} is not a whole zip archive ({exc}); it was "
                                "deleted: run the command again to download it afresh") from None  # fmt: skip
    if bad is not None:
        path.unlink(missing_ok=True)
        raise SourceUnavailable(f"{path.name}: member {bad} fails its checksum; the archive "
                                "was deleted: run the command again to download it afresh")  # fmt: skip
    return names


def fetch_baci(
    ws: Workspace,
    release: str,
    hs: str,
    years: Sequence[int] | None = None,
    *,
    base: str = BACI_BASE,
    remote: Remote | None = None,
    progress: Progress | None = None,
) -> Fetched:
    """Download the BACI release archive ``{base}/BACI_{hs}_{release}.zip`` (resuming an
    interrupted download), check it, and import ``years`` (all it holds by default) with the
    country-code file inside it, as ``econsec data import baci`` would.

    Parameters
    ----------
    ws : Workspace
        Where the data go (the archive in its ``.downloads`` folder).
    release : str
        A BACI release such as ``V202601``.
    hs : str
        Its HS revision: ``HS92`` … ``HS22``.
    years : sequence of int, optional
        The years to import.
    base : str
        The download location.
    remote : Remote, optional
        The HTTP client and retry settings.
    progress : callable, optional
        Told of the download's and the imports' progress.

    Returns
    -------
    Fetched
    """
    release, hs = release.strip(), hs.strip().upper()
    if not _RELEASE.match(release):
        raise InputError("release {release!r}", values={"release": release},
                         expected=N_("a BACI release such as V202601"))  # fmt: skip
    if not _HS.match(hs):
        raise InputError("HS revision {hs!r}", values={"hs": hs},
                         expected=N_("HS92, HS96, HS02, HS07, HS12, HS17 or HS22"))  # fmt: skip
    if remote is None:
        with Remote().client as client:
            return fetch_baci(ws, release, hs, years, base=base, remote=Remote(client),
                              progress=progress)  # fmt: skip
    name = f"BACI_{hs}_{release}.zip"
    url = f"{base.rstrip('/')}/{name}"
    target = ws.path(DOWNLOADS, name)
    known = downloads(ws).get(name)
    got = None
    if not (target.exists() and known and known["sha256"] == file_sha256(target)):

        def told(done: int, total: int | None) -> None:
            if progress:
                progress(name, done, total)

        try:
            got = download(remote, url, target, told)
        except NotFoundError:
            offered = baci_releases(remote, base)
            raise NotFoundError(
                f"no BACI release {release} for {hs} at {base}"
                + (f"; the server offers: {', '.join(offered)}" if offered
                   else "; see CEPII's BACI page for the releases and HS revisions it offers")
            ) from None  # fmt: skip
    names = _check_archive(target)
    if got is not None:
        _record(ws, got, url)
    held = {int(m[1]): n for n in names if (m := re.search(rf"_Y(\d{{4}})_{release}\.csv$", n))}
    codes = next((n for n in names if re.search(rf"country_codes_{release}\.csv$", n)), None)
    if codes is None or not held:
        raise SourceUnavailable(f"{name} holds no BACI year files and country codes "
                                f"(it holds: {', '.join(names[:6])})")  # fmt: skip
    wanted = sorted(held) if not years else sorted(set(years))
    absent = [y for y in wanted if y not in held]
    if absent:
        raise NotFoundError(f"{name} has no year {', '.join(map(str, absent))} (it has "
                            f"{min(held)}-{max(held)})")  # fmt: skip
    return Fetched(
        "baci", url, got, tuple(_import_years(ws, target, held, codes, wanted, progress))
    )


def _import_years(
    ws: Workspace, archive: Path, held: dict[int, str], codes: str, years: Sequence[int],
    progress: Progress | None,
) -> list[ImportResult]:  # fmt: skip
    from econsec.trade.baci import read_baci

    folder = ws.path(DOWNLOADS, archive.stem)
    folder.mkdir(exist_ok=True)
    results = []
    with zipfile.ZipFile(archive) as zf:
        codes_path = Path(zf.extract(codes, folder))
        for year in years:
            data = Path(zf.extract(held[year], folder))

            def told(rows: int, what: str = f"BACI {year}") -> None:
                if progress:
                    progress(what, rows, None)

            try:
                results.append(import_flows(ws, read_baci(data, country_codes=codes_path),
                                            progress=told))  # fmt: skip
            finally:
                data.unlink(missing_ok=True)  # the archive keeps it; the disk need not
    return results


def comtrade_key(key_env: str | None) -> str | None:
    """The subscription key from the environment variable named ``key_env`` (never from the
    command line, which other users of the machine can read)."""
    if key_env is None:
        return None
    key = os.environ.get(key_env, "").strip()
    if not key:
        raise InputError("the environment variable {name} is empty or not set",
                         values={"name": key_env},
                         expected=N_("your UN Comtrade subscription key in it"))  # fmt: skip
    return key


def fetch_comtrade(
    ws: Workspace,
    calls: Sequence[comtrade_api.Request],
    *,
    api_base: str = comtrade_api.DEFAULT_BASE,
    key_env: str | None = None,
    remote: Remote | None = None,
    progress: Progress | None = None,
) -> Fetched:
    """Ask the UN Comtrade API and import its records through the Comtrade loader.

    Parameters
    ----------
    ws : Workspace
        Where the data go (the records as CSV in its ``.downloads`` folder).
    calls : sequence of comtrade_api.Request
        The questions (:func:`econsec.trade.comtrade_api.requests`).
    api_base : str
        The API's address.
    key_env : str, optional
        The environment variable holding the subscription key; without it, the preview API.
    remote : Remote, optional
        The HTTP client and retry settings.
    progress : callable, optional
        Told of the calls' progress.

    Returns
    -------
    Fetched
    """
    from econsec.trade.comtrade import read_comtrade

    key = comtrade_key(key_env)
    if remote is None:
        with Remote().client as client:
            return fetch_comtrade(ws, calls, api_base=api_base, key_env=key_env,
                                  remote=Remote(client), progress=progress)  # fmt: skip
    records = comtrade_api.fetch(
        remote, calls, base=api_base, key=key, key_env=key_env,
        progress=(lambda done, total: progress("UN Comtrade", done, total)) if progress else None,
    )  # fmt: skip
    if not records:
        return Fetched("comtrade", api_base, None, (),
                       N_("UN Comtrade has no data for these reporters, periods and products "
                          "yet"))  # fmt: skip
    question = json.dumps([c.params() for c in calls], sort_keys=True)
    name = f"comtrade-{hashlib.sha256(question.encode()).hexdigest()[:16]}.csv"
    path = ws.path(DOWNLOADS, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    comtrade_api.write_csv(records, path)
    held = sorted({(to_alpha3(int(r["reporterCode"])), str(r["period"])) for r in records})
    return Fetched("comtrade", api_base, None, (import_flows(ws, read_comtrade(path)),),
                   held=tuple(held))  # fmt: skip
