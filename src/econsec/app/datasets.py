"""The workspace's own data as the console manages it: trade files imported through the same
loaders and messages as ``econsec data import``, and firm networks uploaded, listed and chosen
by name (the demo world's network among them, always labelled synthetic).

Uploads are written to a staging folder inside the workspace and removed afterwards; a network
is checked in full before it replaces anything, and a trade import is atomic
(:func:`econsec.storage.workspace.import_flows`).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from econsec.access.policy import Resource
from econsec.app.platform import Caller, Platform
from econsec.errors import InputError, InputProblems, NotFoundError
from econsec.i18n import N_
from econsec.network import Network, read_network
from econsec.storage.workspace import ImportResult, Workspace, import_flows
from econsec.synthetic.world import SYNTHETIC_LABEL

__all__ = [
    "DEMO_NETWORK",
    "TRADE_KINDS",
    "NetworkChoice",
    "import_trade",
    "load_network",
    "networks",
    "save_network",
]

#: The name of the demo world's firm network (synthetic).
DEMO_NETWORK = "demo"
#: Trade file kinds the console imports: the CLI's ``data import`` commands.
TRADE_KINDS = ("baci", "comtrade", "table")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_WORKSPACE = Resource("intelligence")


@dataclass(frozen=True, slots=True)
class NetworkChoice:
    """A firm network of the workspace: its name and whether it is synthetic."""

    name: str
    synthetic: bool

    @property
    def label(self) -> str:
        """The name as shown, with the synthetic label where it applies."""
        return f"{self.name} ({SYNTHETIC_LABEL})" if self.synthetic else self.name


def _folder(ws: Workspace, name: str) -> Path:
    return ws.path("demo") if name == DEMO_NETWORK else ws.path("networks", name)


def networks(ws: Workspace) -> tuple[NetworkChoice, ...]:
    """The workspace's firm networks: the demo's first (when built), then uploaded ones."""
    found = []
    if (ws.path("demo") / "firms.csv").exists():
        found.append(NetworkChoice(DEMO_NETWORK, True))
    root = ws.path("networks")
    if root.is_dir():
        found += [NetworkChoice(d.name, False) for d in sorted(root.iterdir())
                  if (d / "firms.csv").exists() and (d / "links.csv").exists()]  # fmt: skip
    return tuple(found)


def load_network(ws: Workspace, name: str) -> Network:
    """The network named ``name``; :class:`NotFoundError` naming the ones there are."""
    known = {n.name for n in networks(ws)}
    if name not in known:
        raise NotFoundError(f"no firm network {name!r} in the workspace "
                            f"(networks: {', '.join(sorted(known)) or 'none'})")  # fmt: skip
    folder = _folder(ws, name)
    return read_network(folder / "firms.csv", folder / "links.csv")


@contextmanager
def _staging(ws: Workspace) -> Iterator[Path]:
    folder = ws.path(".uploads", uuid.uuid4().hex)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _located(exc: InputError, staged: dict[Path, str]) -> InputError:
    """The error with the uploaded file's name in place of its staging path."""
    name = next((n for path, n in staged.items() if exc.file == str(path)), exc.file)
    if isinstance(exc, InputProblems):
        return InputProblems(name or "upload", list(exc.problems), limit=exc.limit)
    return InputError(exc.problem, file=name, line=exc.line, row=exc.row, column=exc.column,
                      expected=exc.expected)  # fmt: skip


def save_network(
    p: Platform, caller: Caller, ws: Workspace, name: str,
    firms: tuple[str, bytes], links: tuple[str, bytes],
) -> Network:  # fmt: skip
    """Check and store a firm network under ``name`` (a new name, or replacing an upload of
    that name); ``firms`` and ``links`` are (file name, content) in the CLI's formats.

    Raises
    ------
    InputError
        For a bad name, or naming the uploaded file, line and column at fault; nothing is
        stored.
    """
    p.authorise(caller.subject, "manage_intelligence", _WORKSPACE, f"firm network {name} (upload)")
    if not _NAME.match(name) or name == DEMO_NETWORK:
        raise InputError(
            "network name {name!r}",
            values={"name": name, "demo": DEMO_NETWORK},
            expected=N_("1-40 lower-case letters, digits, '-' or '_', not {demo!r}"),
        )
    with _staging(ws) as folder:
        staged = {}
        for kind, (filename, content) in (("firms", firms), ("links", links)):
            if not content:
                raise InputError(
                    "no {kind} file", values={"kind": kind}, expected=f"a {kind}.csv file"
                )
            path = folder / f"{kind}.csv"
            path.write_bytes(content)
            staged[path] = filename
        try:
            network = read_network(folder / "firms.csv", folder / "links.csv")
        except InputError as exc:
            raise _located(exc, staged) from None
        target = _folder(ws, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = target.with_name(f".{name}.old")
        shutil.rmtree(previous, ignore_errors=True)
        if target.exists():
            os.replace(target, previous)
        os.replace(folder, target)
        folder.mkdir()  # for the staging cleanup
        shutil.rmtree(previous, ignore_errors=True)
    return network


def import_trade(
    p: Platform, caller: Caller, ws: Workspace, kind: str, upload: tuple[str, bytes],
    extra: tuple[str, bytes] | None = None, *, replace: bool = False, dedupe: bool = False,
) -> ImportResult:  # fmt: skip
    """Import an uploaded trade file as ``econsec data import KIND`` would.

    ``extra`` is BACI's country-code file (``country_codes_V*.csv``; the release's own when it
    is absent is not available to an upload) or a table's column mapping (YAML or JSON).

    Raises
    ------
    InputError
        Naming the uploaded file, line and column at fault (up to its first 20 problems);
        the workspace is unchanged.
    """
    from econsec.trade.baci import read_baci
    from econsec.trade.comtrade import read_comtrade
    from econsec.trade.mapped import load_mapping, read_table

    p.authorise(caller.subject, "manage_intelligence", _WORKSPACE, f"trade file {kind} (import)")
    if kind not in TRADE_KINDS:
        raise InputError("kind {kind!r}", values={"kind": kind}, expected=" or ".join(TRADE_KINDS))
    filename, content = upload
    if not content:
        raise InputError("no file", expected=N_("a trade data file"))
    safe = Path(filename).name or "upload.csv"
    with _staging(ws) as folder:
        path = folder / safe
        path.write_bytes(content)
        staged = {path: filename}
        extra_path = None
        if extra is not None and extra[1]:
            extra_path = folder / ("mapping.yaml" if kind == "table" else Path(extra[0]).name)
            extra_path.write_bytes(extra[1])
            staged[extra_path] = extra[0]
        try:
            if kind == "baci":
                if extra_path is None:
                    raise InputError("a BACI file needs its country-code file",
                                     expected=N_("country_codes_V*.csv of the same release"))  # fmt: skip
                reading = read_baci(path, country_codes=extra_path)
            elif kind == "comtrade":
                reading = read_comtrade(path)
            else:
                if extra_path is None:
                    raise InputError("a table needs its column mapping",
                                     expected=N_("a YAML or JSON mapping (see docs/data.md)"))  # fmt: skip
                reading = read_table(path, load_mapping(extra_path))
            return import_flows(ws, reading, replace=replace, dedupe=dedupe)
        except InputError as exc:
            raise _located(exc, staged) from None
