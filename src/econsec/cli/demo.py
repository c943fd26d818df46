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
    from econsec.demo import run_demo

    ws = workspace(workspace_dir)
    summary = run_demo(ws, output, echo=typer.echo)
    typer.echo(summary)
    try:
        from econsec.service import create_app, load_settings
        from econsec.service.seed import seed_demo
    except ImportError:
        typer.echo("install econsec[service] to seed the demo sharing platform as well")
        return
    platform = create_app(load_settings(ws.root)).state.platform
    typer.echo(seed_demo(platform).summary())
    platform.dispose()
    typer.echo(
        f"serve the platform with: econsec serve --workspace {ws.root}, then open "
        "http://127.0.0.1:8000/ (web pages) or http://127.0.0.1:8000/api/docs (API)"
    )
