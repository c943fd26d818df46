"""A watchlist kept fresh: the periods UN Comtrade has published since the last run fetched and
imported, the early warning run on the watched series, and what it newly finds kept.

A watchlist is YAML — one watch, or several under ``watches:``::

    name: japan-critical            # letters, digits, - and _
    source: comtrade
    reporters: [JPN, KOR]
    partners: all                   # or a list
    products: ["850511", "811292"]  # HS6 codes and/or catalogue groups (critical:japan/...)
    frequency: M                    # A annual, M monthly
    since: 2023                     # first year to hold (default: three years back)

Each run asks only for the periods a reporter has not yet delivered (a period UN Comtrade has
not published yet is asked again next time), so running it from cron or a systemd timer every
day costs one call a reporter group when nothing is new. What each watch holds is kept in
``.downloads/watch/<name>.json``; a lock keeps two runs from overlapping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from econsec.app.fetching import DOWNLOADS, Fetched, Progress, fetch_comtrade, write_json
from econsec.errors import Conflict, InputError
from econsec.i18n import N_
from econsec.intelligence.warning import Event, detect
from econsec.reference.catalogue import select_products
from econsec.reference.countries import to_alpha3
from econsec.storage.workspace import Workspace
from econsec.trade import comtrade_api
from econsec.trade.remote import Remote
from econsec.yamltext import load_yaml

__all__ = ["Refreshed", "Watch", "due", "read_watchlist", "refresh"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
_FIELDS = {"name", "source", "reporters", "partners", "products", "frequency", "since"}


@dataclass(frozen=True, slots=True)
class Watch:
    """One watch: whose reports (alpha-3), of which partners (None: all), which HS6 codes, at
    which frequency, from which year."""

    name: str
    reporters: tuple[str, ...]
    partners: tuple[str, ...] | None
    products: tuple[str, ...]
    frequency: str
    since: int
    source: str = "comtrade"


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one watch's run did: the (reporter, period) pairs newly held, the imports, the
    events the early warning newly found, and whether they were kept on the platform."""

    watch: str
    new: tuple[tuple[str, str], ...]
    fetched: Fetched | None
    events: tuple[Event, ...] = ()
    kept_on_platform: bool = False
    notes: tuple[str, ...] = field(default=())


def _list(value: Any, where: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, (str, int)) for i in items)
    ):
        raise InputError("{where}: expected a list", values={"where": where},
                         expected=N_("a list of codes, or codes separated by commas"))  # fmt: skip
    return tuple(str(i).strip() for i in items if str(i).strip())


def _watch(raw: Any, where: str, today: dt.date) -> Watch:
    if not isinstance(raw, dict):
        raise InputError("{where}: expected a mapping", values={"where": where},
                         expected=N_("name, source, reporters, partners, products, frequency"))  # fmt: skip
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise InputError("{where}: unknown field {field!r}", values={"where": where,
                         "field": unknown[0]}, expected=", ".join(sorted(_FIELDS)))  # fmt: skip
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise InputError("{where}.name {name!r}", values={"where": where, "name": name},
                         expected=N_("letters, digits, - and _ (up to 60)"))  # fmt: skip
    if raw.get("source", "comtrade") != "comtrade":
        raise InputError("{where}.source {source!r}", values={"where": where,
                         "source": raw.get("source")}, expected=N_("comtrade"))  # fmt: skip
    frequency = str(raw.get("frequency", "A"))
    if frequency not in ("A", "M"):
        raise InputError("{where}.frequency {f!r}", values={"where": where, "f": frequency},
                         expected=N_("A or M"))  # fmt: skip
    since = raw.get("since", today.year - 3)
    if not isinstance(since, int) or not 1990 <= since <= today.year:
        raise InputError("{where}.since {since!r}", values={"where": where, "since": since},
                         expected=N_("a year from 1990 to this year"))  # fmt: skip
    reporters = tuple(to_alpha3(r) for r in _list(raw.get("reporters"), f"{where}.reporters"))
    partners_raw = raw.get("partners", "all")
    partners = (None if str(partners_raw).strip().lower() == "all"
                else tuple(to_alpha3(p) for p in _list(partners_raw, f"{where}.partners")))  # fmt: skip
    selector = ",".join(_list(raw.get("products"), f"{where}.products"))
    products = tuple(sorted(select_products(selector, today)))
    return Watch(name, reporters, partners, products, frequency, since)


def read_watchlist(path: Path, today: dt.date | None = None) -> tuple[Watch, ...]:
    """The watches of a watchlist file, checked (each problem names the watch and field).

    Parameters
    ----------
    path : Path
        The YAML file.
    today : date, optional
        For the default ``since`` and the catalogue's groups (default: today).

    Returns
    -------
    tuple of Watch
    """
    today = today or dt.date.today()
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        raw = load_yaml(path.read_text("utf-8"), str(path))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    items = raw.get("watches") if isinstance(raw, dict) and "watches" in raw else [raw]
    if not isinstance(items, list) or not items:
        raise InputError("no watches", file=str(path),
                         expected=N_("a watch, or a list of them under watches:"))  # fmt: skip
    watches = tuple(_watch(w, f"{path.name}: watch {n}", today) for n, w in enumerate(items, 1))
    names = [w.name for w in watches]
    if len(set(names)) < len(names):
        raise InputError("two watches named alike", file=str(path),
                         expected=N_("a distinct name for each watch"))  # fmt: skip
    return watches


def _periods(watch: Watch, today: dt.date) -> list[str]:
    """Every period from ``since`` to the last whole one before ``today``."""
    if watch.frequency == "A":
        return [str(y) for y in range(watch.since, today.year)]
    last = today.replace(day=1) - dt.timedelta(days=1)
    return [f"{y}{m:02d}" for y in range(watch.since, last.year + 1) for m in range(1, 13)
            if (y, m) <= (last.year, last.month)]  # fmt: skip


def due(watch: Watch, held: dict[str, list[str]], today: dt.date) -> list[comtrade_api.Request]:
    """The calls that ask for the periods each reporter has not yet delivered (reporters missing
    the same periods share calls).

    Examples
    --------
    >>> w = Watch("w", ("JPN", "KOR"), None, ("850511",), "A", 2022)
    >>> [(r.reporters, r.periods) for r in due(w, {"JPN": ["2022"]}, dt.date(2025, 3, 1))]
    [(('392',), ('2023', '2024')), (('410',), ('2022', '2023', '2024'))]
    """
    wanted = _periods(watch, today)
    groups: dict[tuple[str, ...], list[str]] = {}
    for reporter in watch.reporters:
        missing = tuple(p for p in wanted if p not in set(held.get(reporter, ())))
        if missing:
            groups.setdefault(missing, []).append(reporter)
    return [call for missing, reporters in groups.items()
            for call in comtrade_api.requests(watch.frequency, reporters, watch.partners,
                                              missing, watch.products)]  # fmt: skip


@contextlib.contextmanager
def _locked(ws: Workspace) -> Iterator[None]:
    path = ws.path(DOWNLOADS, "watch", ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict("another watchlist refresh is running on this workspace; this run "
                           "stops without changing anything") from None  # fmt: skip
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _state(ws: Workspace, name: str) -> tuple[Path, dict[str, Any]]:
    path = ws.path(DOWNLOADS, "watch", f"{name}.json")
    state = json.loads(path.read_text("utf-8")) if path.exists() else {}
    return path, {"held": state.get("held", {}), "events": state.get("events", [])}


def _key(e: Event) -> str:
    return f"{e.exporter}>{e.importer}:{e.product}@{e.period}"


def refresh(
    ws: Workspace,
    watches: Sequence[Watch],
    *,
    api_base: str = comtrade_api.DEFAULT_BASE,
    key_env: str | None = None,
    remote: Remote | None = None,
    today: dt.date | None = None,
    keep: Any = None,
    progress: Progress | None = None,
) -> list[Refreshed]:
    """Fetch what each watch lacks, import it, run the early warning on its series and report
    (and keep, through ``keep``) the events not found before.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    watches : sequence of Watch
        From :func:`read_watchlist`.
    api_base, key_env : str
        As for :func:`econsec.app.fetching.fetch_comtrade`.
    remote : Remote, optional
        The HTTP client and retry settings.
    today : date, optional
        The day of the run (default: today).
    keep : callable, optional
        ``keep(watch name, events) -> new events``: where the events go on the platform
        (:func:`econsec.app.intelligence.keep_watch_events`); without it they are only reported.
    progress : callable, optional
        Told of the calls' progress.

    Returns
    -------
    list of Refreshed
    """
    from econsec.app.watch import workspace_flows

    today = today or dt.date.today()
    out = []
    with _locked(ws):
        for watch in watches:
            path, state = _state(ws, watch.name)
            calls = due(watch, state["held"], today)
            fetched = (fetch_comtrade(ws, calls, api_base=api_base, key_env=key_env,
                                      remote=remote, progress=progress) if calls else None)  # fmt: skip
            new = tuple(h for h in (fetched.held if fetched else ())
                        if h[1] not in state["held"].get(h[0], []))  # fmt: skip
            for reporter, period in new:
                state["held"].setdefault(reporter, []).append(period)
            flows = workspace_flows(ws, watch.products, watch.reporters,
                                    monthly=watch.frequency == "M")  # fmt: skip
            events = detect(flows) if flows else []
            fresh = [e for e in events if _key(e) not in set(state["events"])]
            kept = keep is not None
            if kept and events:
                keep(watch.name, events)
            state["events"] = sorted({*state["events"], *(_key(e) for e in events)})
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json(path, state)
            notes = () if calls else (N_("nothing due: every period up to the last whole one is "
                                         "held"),)  # fmt: skip
            out.append(Refreshed(watch.name, new, fetched, tuple(fresh), kept, notes))
    return out
