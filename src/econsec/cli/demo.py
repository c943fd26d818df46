"""``econsec demo``: the main job on the synthetic demo world."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.app import WorkspaceOption, app, fail, workspace
from econsec.errors import EconsecError


@app.command("demo")
def demo(
    workspace_dir: WorkspaceOption = None,
    output: Annotated[
        Path | None, typer.Option(help="HTML report path (default: WORKSPACE/reports/demo.html).")
    ] = None,
) -> None:
    """Build the synthetic demo world (once) and run the main job on it, writing an HTML report."""
    from econsec.demo import run_demo

    try:
        summary = run_demo(workspace(workspace_dir), output, echo=typer.echo)
    except EconsecError as exc:
        fail(exc)
    typer.echo(summary)
