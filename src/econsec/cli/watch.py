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
