"""The audit log: every authorisation decision and every release, in a chain sealed with a key
the database does not hold; checkpoints of its head kept elsewhere show a log cut short or
rewritten (see :mod:`econsec.sharing.audit`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from econsec.access.policy import Classification, Resource
from econsec.app.platform import Caller, Platform
from econsec.errors import Conflict, InputError
from econsec.i18n import N_
from econsec.sharing.audit import against_checkpoint, checkpoint, verify
from econsec.storage import platform as store
from econsec.storage.platform import AuditEntry

__all__ = [
    "ANCHORED",
    "AuditPage",
    "ChainCheck",
    "anchor",
    "audit_log",
    "check_chain",
    "checkpoint_now",
    "read_head",
]

_LOG = Resource("audit_log", Classification.CONFIDENTIAL)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Whether the chain holds: the number of entries, the first bad one, and what is wrong
    against a checkpoint (when one was given)."""

    entries: int
    first_bad_entry: int | None
    against_head: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_bad_entry is None and self.against_head is None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of the audit log, and whether the whole chain holds."""

    entries: tuple[AuditEntry, ...]
    chain_intact: bool
    first_bad_entry: int | None


def _check(p: Platform, entries: list[AuditEntry]) -> ChainCheck:
    return ChainCheck(len(entries), verify((dataclasses.asdict(e) for e in entries), p.ring))


def check_chain(p: Platform, head: dict[str, object] | None = None) -> ChainCheck:
    """Check the whole chain, and against a checkpoint when given (``econsec audit verify``)."""
    with p.read() as conn:
        entries = store.audit_entries(conn)
    found = _check(p, entries)
    if head is None:
        return found
    rows = [dataclasses.asdict(e) for e in entries]
    return dataclasses.replace(found, against_head=against_checkpoint(rows, head, p.ring))


ANCHORED = "audit-anchored"  # marker in the workspace's platform folder, outside the database


def anchor(p: Platform) -> int:
    """Seal an audit chain written before econsec kept a key, once, after checking it; the
    entries sealed.

    Refused when this workspace's marker (outside the database) says the log was sealed
    before: a log that is plain again is a rewrite, and sealing it would launder it.
    """
    marker = p.settings.workspace / "platform" / ANCHORED
    with p.write() as conn:
        if marker.exists():
            raise Conflict("the audit log was sealed before: a plain entry now is a rewrite "
                           "(check it with audit verify and a checkpoint)")  # fmt: skip
        changed = store.reseal_audit(conn, p.ring, legacy=True)
        store.append_audit(conn, p.ring, "platform", "anchor_audit", "audit_log", True,
                           f"{changed} entries sealed with key {p.ring.current}")  # fmt: skip
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"sealed {changed} entries with key {p.ring.current}\n", "utf-8")
    return changed


def checkpoint_now(p: Platform) -> dict[str, object]:
    """A signed checkpoint of the chain's head now (to keep outside the platform)."""
    with p.read() as conn:
        rows = [dataclasses.asdict(e) for e in store.audit_entries(conn)]
    return checkpoint(rows, p.ring, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def read_head(path: Path) -> dict[str, object]:
    """A checkpoint file written by :func:`export_head`."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read a checkpoint: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("not a checkpoint", file=str(path), expected=N_("a JSON object"))
    return data


def audit_log(p: Platform, caller: Caller, after: int = -1, limit: int = 100) -> AuditPage:
    """Entries after sequence number ``after`` (auditors), and whether the chain holds."""
    p.authorise(caller.subject, "read_audit", _LOG, "audit_log")
    with p.read() as conn:
        entries = store.audit_entries(conn, after, limit)
        whole = _check(p, store.audit_entries(conn))
    return AuditPage(tuple(entries), whole.intact, whole.first_bad_entry)
