"""The release ledger in the platform: before any statistic is shown outside the cleared
government circle, it is audited against every earlier disclosure (:mod:`econsec.sharing.ledger`)
and, if allowed, recorded — in the one write transaction that also stores what is shown, with
the ledger locked so that two releases cannot pass the audit against the same past."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from econsec.app.platform import Platform
from econsec.sharing.disclosure import Verdict
from econsec.sharing.ledger import Statistic, audit
from econsec.storage import ledger as store

__all__ = ["admit", "lock", "preview", "record"]


def lock(conn: sa.Connection) -> None:
    """Hold the ledger's lock for the rest of the write transaction ``conn``: no other
    disclosure is audited or recorded meanwhile (check what others may have published after
    this)."""
    store.lock_ledger(conn)


def admit(p: Platform, conn: sa.Connection, statistics: Sequence[Statistic]) -> Verdict:
    """The audit of ``statistics`` against every earlier disclosure, inside the write
    transaction ``conn`` (which from now on holds the ledger's lock)."""
    lock(conn)
    return preview(p, statistics)


def preview(p: Platform, statistics: Sequence[Statistic]) -> Verdict:
    """The audit of ``statistics`` as things stand (nothing locked or recorded)."""
    g = p.settings.guard
    with p.ledger() as ledger:
        return audit(ledger, statistics, g.min_firms, g.p_percent)


def record(
    p: Platform,
    conn: sa.Connection,
    user: str,
    kind: str,
    label: str,
    statistics: Sequence[Statistic],
    released: Mapping[str, Any],
) -> None:
    """Record a disclosure the audit allowed, with the values as released (in the transaction
    of :func:`admit`)."""
    lock(conn)
    store.add_disclosure(conn, p.ring, kind, label, statistics, released, user)
