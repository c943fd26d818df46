"""``econsec serve``, ``econsec admin …`` and ``econsec audit verify``: the sharing platform."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.app import WorkspaceOption, app, usage

if TYPE_CHECKING:
    from econsec.app.platform import Platform

admin_app = typer.Typer(help="Manage organisations, users and keys.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")


def _platform(workspace: Path | None) -> Platform:
    from econsec.app.platform import Platform
    from econsec.settings import load_settings, workspace_path
    from econsec.storage.platform_db import migrate

    platform = Platform(load_settings(workspace_path(workspace)))
    migrate(platform.engine)
    return platform


@app.command("send-reminders")
def send_reminders(
    within: Annotated[int, typer.Option(help="Days before a deadline.", min=0, max=120)] = 7,
    workspace: WorkspaceOption = None,
) -> None:
    """Remind each reviewer of the plans of their sectors whose review deadline comes within
    --within days (once per plan and deadline; run it daily, e.g. from a systemd timer)."""
    from econsec.app.plans import send_reminders as send
    from econsec.cli.app import language
    from econsec.i18n import tr

    sent = send(_platform(workspace), within)
    typer.echo(tr("{n} reminder(s) sent", language(), n=sent))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workspace: WorkspaceOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed a demo platform first.")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the platform service (SQLite in the workspace, or $ECONSEC_DATABASE_URL)."""
    import uvicorn

    from econsec.server import create_app
    from econsec.settings import load_settings, workspace_path

    folder = workspace_path(workspace)
    settings = load_settings(folder)
    if demo and settings.production:
        usage("--demo is refused in production")
    app_ = create_app(settings)  # migrates the schema once, before any worker starts
    if demo:
        from econsec.app.demo import ensure_demo_world
        from econsec.app.seed import seed_demo
        from econsec.storage.workspace import Workspace

        typer.echo(seed_demo(app_.state.platform).summary())
        ensure_demo_world(Workspace(settings.workspace), typer.echo)  # the trade world too
    typer.echo(
        f"econsec platform on http://{host}:{port} (sign in at /, API docs at /api/docs)",
        err=True,
    )
    if workers == 1:
        uvicorn.run(app_, host=host, port=port, log_level="warning")
    else:  # each worker process builds its own app from the same settings
        os.environ["ECONSEC_WORKSPACE"] = str(folder)
        uvicorn.run(
            "econsec.server:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )


@admin_app.command("create-org")
def create_org(
    name: str,
    kind: Annotated[str, typer.Option(help="firm, government or operator.")],
    sector: Annotated[
        str | None,
        typer.Option(help="Sector code (firms; operators: one of the 15 infrastructure sectors)."),
    ] = None,
    size: Annotated[
        str | None, typer.Option(help="small, medium or large (firms; survey weights).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Create an organisation."""
    from econsec.app import accounts

    accounts.create_org(_platform(workspace), name, kind, sector, size)
    typer.echo(f"created organisation {name} ({kind})")


@admin_app.command("create-user")
def create_user(
    username: str,
    org: Annotated[str, typer.Option(help="Organisation name.")],
    role: Annotated[str, typer.Option(help="Role, e.g. firm_submitter or cleared_analyst.")],
    clearance: Annotated[str, typer.Option(help="none, confidential or top_secret.")] = "none",
    compartment: Annotated[list[str] | None, typer.Option(help="Compartment (repeatable).")] = None,
    valid_until: Annotated[str | None, typer.Option(help="Clearance end, YYYY-MM-DD.")] = None,
    designated_by: Annotated[str, typer.Option(help="Designating official.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Create a user; the password is read from standard input."""
    from econsec.access.policy import ROLES
    from econsec.app import accounts

    if not password_stdin:
        usage("give the password on standard input with --password-stdin")
    if role not in ROLES:
        usage(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
    password = sys.stdin.readline().rstrip("\n")
    granted = accounts.clearance(clearance, tuple(compartment or ()), valid_until, designated_by)
    accounts.create_user(_platform(workspace), username, org, role, password, granted)
    typer.echo(f"created user {username} ({role}) in {org}")


@admin_app.command("reset-password")
def reset_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from standard input.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Give a user a new password (read from standard input); the user's sessions end."""
    from econsec.app import accounts

    if not password_stdin:
        usage("give the new password on standard input with --password-stdin")
    accounts.reset_password(_platform(workspace), username, sys.stdin.readline().rstrip("\n"))
    typer.echo(f"new password for {username}; their sessions have ended")


@admin_app.command("deactivate-user")
def deactivate_user(username: str, workspace: WorkspaceOption = None) -> None:
    """Deactivate a user: sign-in and every session stop at once (kept for audit)."""
    from econsec.app import accounts

    accounts.deactivate_user(_platform(workspace), username)
    typer.echo(f"deactivated {username}")


@admin_app.command("set-clearance")
def set_clearance(
    username: str,
    clearance: Annotated[str, typer.Option(help="none, confidential or top_secret.")],
    compartment: Annotated[list[str] | None, typer.Option(help="Compartment (repeatable).")] = None,
    valid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    designated_by: Annotated[str, typer.Option(help="Designating official.")] = "",
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke the clearance now.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Grant, change or revoke a user's clearance (effective at the next request)."""
    from econsec.app import accounts

    granted = accounts.clearance(clearance, tuple(compartment or ()), valid_until, designated_by)
    accounts.set_clearance(_platform(workspace), username, granted, revoke)
    typer.echo(f"clearance of {username}: {'revoked' if revoke else clearance}")


@admin_app.command("rotate-keys")
def rotate_keys(workspace: WorkspaceOption = None) -> None:
    """Re-encrypt every sealed value with the current data key (see docs/platform.md)."""
    from econsec.app import accounts

    p = _platform(workspace)
    changed, entries = accounts.rotate_keys(p)
    typer.echo(f"re-encrypted {changed} values with key {p.ring.current}; "
               f"audit log sealed again ({entries} entries)")  # fmt: skip


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        Path | None, typer.Option("--head", help="A checkpoint from audit export-head.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check the audit chain (and against a checkpoint); exit 1 naming what was changed,
    removed or reordered."""
    from econsec.app.audit import check_chain, read_head

    check = check_chain(_platform(workspace), read_head(head) if head is not None else None)
    if check.first_bad_entry is not None:
        typer.echo(
            f"audit log broken at entry {check.first_bad_entry}: it or an entry before it was "
            "changed, removed or reordered",
            err=True,
        )
        raise typer.Exit(1)
    if check.against_head is not None:
        typer.echo(f"audit log does not match the checkpoint: {check.against_head}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {check.entries} entries"
               + (", consistent with the checkpoint" if head is not None else ""))  # fmt: skip


@audit_app.command("anchor")
def audit_anchor(workspace: WorkspaceOption = None) -> None:
    """Seal an audit log written before econsec kept a key, once, after checking it (run it
    after upgrading; it refuses a log that was sealed before)."""
    from econsec.app.audit import anchor

    changed = anchor(_platform(workspace))
    typer.echo(f"audit log sealed: {changed} entries; now export a checkpoint (audit export-head)")


@audit_app.command("export-head")
def audit_export_head(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it here (default: stdout).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Print (or write) a signed checkpoint of the audit log's head, to keep outside the
    platform; ``audit verify --head FILE`` then detects truncation and rewrites since."""
    import json

    from econsec.app.audit import checkpoint_now

    mark = checkpoint_now(_platform(workspace))
    text = json.dumps(mark, indent=1)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", "utf-8")
        typer.echo(f"checkpoint of entry {mark['seq']} written to {output}; keep it elsewhere")


exchange_app = typer.Typer(help="Exchange alerts with partners (TAXII 2.1).", no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")


@exchange_app.command("pull")
def exchange_pull(
    url: Annotated[str, typer.Option(help="The partner's TAXII 2.1 discovery address.")],
    collection: Annotated[str, typer.Option(help="The collection's id.")],
    user: Annotated[str | None, typer.Option(help="User name (HTTP Basic).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding a bearer token.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only what was added after this time (ISO 8601).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Poll a partner's collection for what is new and bring its reports and indicators into
    the incident register as candidates, with their source and TLP marking."""
    import os

    from econsec.app.exchange import pull
    from econsec.settings import workspace_path
    from econsec.storage.workspace import Workspace

    if bool(user) != password_stdin or (user and token_env):
        usage("give --user with --password-stdin, or --token-env VAR")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    token = None
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            usage(f"the environment variable {token_env} holds no token")
    result = pull(_platform(workspace), Workspace(workspace_path(workspace)), url, collection,
                  user=user, password=password, token=token, since=since)  # fmt: skip
    typer.echo(
        f"{result.stored} candidates stored from {result.seen} objects added after "
        f"{result.added_after or 'the start'}; {result.red_not_stored} TLP:RED items not stored; "
        f"{result.without_country} naming no country left out; next poll after "
        f"{result.last_added or 'the start'}"
    )
