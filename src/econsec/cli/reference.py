"""``econsec reference``: the critical product catalogue and HS lookups."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from econsec.cli.app import FormatOption, reference_app, usage


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        usage(f"{text!r} is not a date (expected YYYY-MM-DD)")


@reference_app.command("catalogue")
def reference_catalogue(
    list_id: Annotated[
        str, typer.Argument(help="List id: japan, eu_crma or us_critical_minerals.")
    ],
    on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default: today).")] = None,
    format: FormatOption = "table",
) -> None:
    """What was on a critical product list on a date, with HS6 codes and sources."""
    from econsec.reference.catalogue import groups_on

    date = _date(on) or dt.date.today()
    groups = groups_on(list_id, date)
    rows = [
        {
            "group": g.id,
            "name": g.name_en,
            "hs6": sorted(g.hs6_on(date)),
            "since": str(g.start),
            "source": g.source,
        }
        for g in groups
    ]
    if format == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    typer.echo(f"{list_id} on {date}: {len(rows)} groups")
    for r in rows:
        typer.echo(f"  {r['group']:<32} {' '.join(r['hs6']) or '(no HS goods code)'}")


@reference_app.command("hs6")
def reference_hs6(
    code: Annotated[str, typer.Argument(help="An HS6 code, e.g. 850511.")],
    on: Annotated[str | None, typer.Option(help="Only groups in force on this date.")] = None,
) -> None:
    """Which critical product groups contain an HS6 code."""
    from econsec.reference.catalogue import groups_containing

    groups = groups_containing(code, _date(on))
    for g in groups:
        typer.echo(f"{g.key}\t{g.name_en}\tsince {g.start}\t{g.source}")
    if not groups:
        typer.echo(f"{code} is in no critical product group")
