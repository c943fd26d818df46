"""``econsec watch``: coercion early warning on trade flows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import WorkspaceOption, app, emit, usage, workspace

watch_app = typer.Typer(help="Coercion early warning on trade flows.", no_args_is_help=True)
app.add_typer(watch_app, name="watch")


@watch_app.command("detect")
def watch_detect(
    input: Annotated[Path | None, typer.Option("--input", "-i", help="CSV or Parquet.")] = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    min_drop: Annotated[float, typer.Option(help="Smallest drop to report (0-1).")] = 0.5,
) -> None:
    """Find abrupt, coercion-like drops in bilateral product flows (file or workspace)."""
    from econsec.app.watch import read_flows, workspace_flows
    from econsec.intelligence import Settings, detect

    if input is not None:
        rows = read_flows(input)
    elif workspace_dir is not None:
        rows = workspace_flows(workspace(workspace_dir))
    else:
        usage("give --input FILE or --workspace DIR")
    events = detect(rows, Settings(min_drop=min_drop))
    data: list[dict[str, Any]] = [e.as_dict() for e in events]
    text = [f"{len(events)} events"] + [
        f"{e.period} {e.exporter}->{e.importer} {e.product}: -{e.drop_share:.0%}, "
        f"{e.persistence} periods, confidence {e.confidence:.2f}"
        for e in events[:50]
    ]
    emit(data, format, text)


@watch_app.command("evaluate")
def watch_evaluate(
    input: Annotated[Path, typer.Option("--input", "-i", help="Flows: CSV or Parquet.")],
    incidents: Annotated[
        Path | None,
        typer.Option(help="Incident register, CSV or JSON (default: the documented cases)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Which registered incidents the early warning finds in FLOWS, when, and its false alarms
    per series-year (events that match no incident)."""
    from econsec.app.watch import read_flows, read_register
    from econsec.intelligence import detect, evaluate
    from econsec.intelligence.warning import series_years

    rows = read_flows(input)
    register = read_register(incidents)
    events = detect(rows)
    result = evaluate(events, register, series_years(rows))
    found = [
        {
            "incident": k,
            "first_period": v[0].period,
            "events": len(v),
            "first_event": v[0].as_dict(),
        }
        for k, v in result.found.items()
    ]
    data = {
        "found": found,
        "missed": list(result.missed),
        "false_alarms": len(result.false_alarms),
        "false_alarm_rate": round(result.false_alarm_rate, 6),
        "events": len(events),
    }  # fmt: skip
    text = [
        f"{len(events)} events; {len(result.found)} incidents found, "
        f"{len(result.false_alarms)} false alarms "
        f"({result.false_alarm_rate:.4f} per series-year)"
    ] + [f"  found {f['incident']}: first {f['first_period']} ({f['events']} events)"
         for f in found]  # fmt: skip
    emit(data, format, text)


@watch_app.command("refresh")
def watch_refresh(
    watchlist: Annotated[Path, typer.Option(help="The watchlist (YAML; see docs/data.md).")],
    workspace_dir: WorkspaceOption = None,
    api_base: Annotated[str | None, typer.Option(help="API address (default: UN Comtrade's).")]
    = None,
    key_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the subscription key.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:  # fmt: skip
    """Fetch the periods each watch lacks, import them, run the early warning on the watched
    series and keep the new events (on the platform, when one is configured for the workspace:
    cleared analysts see them in the console). Safe to run from cron or a systemd timer."""
    import os

    from econsec.app.watchlist import read_watchlist, refresh
    from econsec.cli.data import _bar
    from econsec.trade import comtrade_api

    ws = workspace(workspace_dir)
    watches = read_watchlist(watchlist)
    platform = None
    if os.environ.get("ECONSEC_DATABASE_URL") or ws.path("platform", "platform.db").exists():
        from econsec.cli.platform import _platform

        platform = _platform(ws.root)
    keep = None
    if platform is not None:
        from econsec.app.intelligence import keep_watch_events

        keep = lambda name, events: keep_watch_events(platform, name, events)  # noqa: E731
    bar, update = _bar()
    try:
        with bar:
            done = refresh(ws, watches, api_base=api_base or comtrade_api.DEFAULT_BASE,
                           key_env=key_env, keep=keep, progress=update)  # fmt: skip
    finally:
        if platform is not None:
            platform.dispose()
    data = [{"watch": r.watch, "new_periods": [list(h) for h in r.new],
             "new_events": [e.as_dict() for e in r.events],
             "kept_on_platform": r.kept_on_platform, "notes": list(r.notes)} for r in done]  # fmt: skip
    from econsec.cli.app import language
    from econsec.i18n import tr

    lang = language()
    text = []
    for r in done:
        text.append(tr("{watch}: {periods} new reporter-periods, {events} new events", lang,
                       watch=r.watch, periods=len(r.new), events=len(r.events))
                    + (tr(" (kept on the platform)", lang) if r.kept_on_platform else ""))  # fmt: skip
        text += [f"  {tr(n, lang)}" for n in r.notes]
        text += ["  " + tr("{period} {exporter}->{importer} {product}: -{drop}, confidence "
                           "{confidence}", lang, period=e.period, exporter=e.exporter,
                           importer=e.importer, product=e.product, drop=f"{e.drop_share:.0%}",
                           confidence=f"{e.confidence:.2f}") for e in r.events[:20]]  # fmt: skip
        if r.fetched is not None:
            text += ["  " + tr("imported {n} flows", lang, n=f"{i.rows_stored:,}")
                     for i in r.fetched.imports]  # fmt: skip
    emit(data, format, text)
