"""The audit log for auditors: every authorisation decision and every release, hash-chained."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from econsec.access.policy import Classification, Resource
from econsec.app.platform import Caller, Platform
from econsec.sharing.audit import verify
from econsec.storage import platform as store
from econsec.storage.platform import AuditEntry

__all__ = ["AuditPage", "ChainCheck", "audit_log", "check_chain"]

_LOG = Resource("audit_log", Classification.CONFIDENTIAL)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Whether the chain holds: the number of entries and the first bad one, if any."""

    entries: int
    first_bad_entry: int | None

    @property
    def intact(self) -> bool:
        return self.first_bad_entry is None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of the audit log, and whether the whole chain holds."""

    entries: tuple[AuditEntry, ...]
    chain_intact: bool
    first_bad_entry: int | None


def _check(entries: list[AuditEntry]) -> ChainCheck:
    return ChainCheck(len(entries), verify(dataclasses.asdict(e) for e in entries))


def check_chain(p: Platform) -> ChainCheck:
    """Check the whole chain (the administrator's ``econsec audit verify``)."""
    with p.read() as conn:
        return _check(store.audit_entries(conn))


def audit_log(p: Platform, caller: Caller, after: int = -1, limit: int = 100) -> AuditPage:
    """Entries after sequence number ``after`` (auditors), and whether the chain holds."""
    p.authorise(caller.subject, "read_audit", _LOG, "audit_log")
    with p.read() as conn:
        entries = store.audit_entries(conn, after, limit)
        whole = _check(store.audit_entries(conn))
    return AuditPage(tuple(entries), whole.intact, whole.first_bad_entry)
