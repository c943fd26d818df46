"""``econsec demo``: the main job on the synthetic demo world."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.app import WorkspaceOption, app, workspace


@app.command("demo")
def demo(
    workspace_dir: WorkspaceOption = None,
    output: Annotated[
        Path | None, typer.Option(help="HTML report path (default: WORKSPACE/reports/demo.html).")
    ] = None,
) -> None:
    """Build the synthetic demo world (once) and run the main job on it, writing an HTML report;
    then seed the demo sharing platform (with the service extra installed)."""
    from econsec.app.demo import run_demo

    ws = workspace(workspace_dir)
    summary = run_demo(ws, output, echo=typer.echo)
    typer.echo(summary)
    try:
        from econsec.app.platform import Platform
        from econsec.app.seed import seed_demo
        from econsec.settings import load_settings
        from econsec.storage.platform_db import migrate
    except ImportError:
        typer.echo("install econsec[service] to seed the demo sharing platform as well")
        return
    platform = Platform(load_settings(ws.root))
    migrate(platform.engine)
    typer.echo(seed_demo(platform).summary())
    platform.dispose()
    typer.echo(
        f"serve the platform with: econsec serve --workspace {ws.root}, then open "
        "http://127.0.0.1:8000/ (web pages) or http://127.0.0.1:8000/api/docs (API)"
    )
