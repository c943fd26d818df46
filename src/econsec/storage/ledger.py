"""Reads and writes of the release ledger and of benchmark snapshots, each on a connection
inside the caller's transaction. A disclosure's statistics (firms, weights and values) and a
snapshot's per-firm values are sealed with the key ring; kind, label and times are in clear."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from econsec.sharing.benchmarks import Snapshot
from econsec.sharing.ledger import Statistic
from econsec.storage.platform import now
from econsec.storage.platform_db import benchmark_snapshots, disclosures
from econsec.storage.sealing import KeyRing

__all__ = [
    "add_disclosure",
    "add_snapshot",
    "disclosures_since",
    "latest_snapshots",
    "lock_ledger",
]


def lock_ledger(conn: sa.Connection) -> None:
    """Serialise audits and records of the ledger: an advisory lock on PostgreSQL (SQLite's
    write transactions already hold the database's write lock from ``BEGIN IMMEDIATE``)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7720)"))


def _dump(stats: Sequence[Statistic], released: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {
            "released": released,
            "statistics": [
                {
                    "measure": s.measure,
                    "terms": [list(t) for t in s.terms],
                    "low": s.low,
                    "high": None if math.isinf(s.high) else s.high,
                    "integral": s.integral,
                }
                for s in stats
            ],
        }
    ).encode()


def _load(plain: bytes) -> list[Statistic]:
    return [
        Statistic(
            d["measure"],
            tuple((f, float(w), float(x)) for f, w, x in d["terms"]),
            float(d["low"]),
            math.inf if d["high"] is None else float(d["high"]),
            bool(d["integral"]),
        )
        for d in json.loads(plain)["statistics"]
    ]


def add_disclosure(
    conn: sa.Connection,
    ring: KeyRing,
    kind: str,
    label: str,
    statistics: Sequence[Statistic],
    released: Mapping[str, Any],
    user_id: str,
) -> int:
    """Record a disclosure — the statistics the ledger audits and the values as ``released`` —
    sealed (call after :func:`lock_ledger`); its sequence number."""
    last = conn.execute(sa.select(sa.func.max(disclosures.c.seq))).scalar()
    seq = int(last or 0) + 1
    row_id = str(uuid.uuid4())
    conn.execute(
        disclosures.insert().values(
            seq=seq,
            id=row_id,
            kind=kind,
            label=label[:200],
            statistics=ring.seal(_dump(statistics, released), row_id.encode()),
            created_at=now(),
            created_by=user_id,
        )
    )
    return seq


def disclosures_since(
    conn: sa.Connection, ring: KeyRing, seq: int
) -> list[tuple[int, list[Statistic]]]:
    """Disclosures after sequence number ``seq``, oldest first, with their statistics."""
    rows = conn.execute(
        sa.select(disclosures.c.seq, disclosures.c.id, disclosures.c.statistics)
        .where(disclosures.c.seq > seq)
        .order_by(disclosures.c.seq)
    )
    return [(r.seq, _load(ring.open(r.statistics, r.id.encode()))) for r in rows]


def add_snapshot(conn: sa.Connection, ring: KeyRing, snap: Snapshot) -> None:
    """Store a benchmark snapshot, published or withheld (its per-firm values sealed)."""
    row_id = str(uuid.uuid4())
    body = {
        "created": snap.created,
        "means": dict(snap.means),
        "own": {o: {m: list(v) for m, v in ms.items()} for o, ms in snap.own.items()},
        "withheld": snap.withheld,
    }
    conn.execute(
        benchmark_snapshots.insert().values(
            id=row_id,
            sector=snap.sector,
            period=snap.period,
            created_at=now(),
            body=ring.seal(json.dumps(body).encode(), row_id.encode()),
        )
    )


def latest_snapshots(
    conn: sa.Connection, ring: KeyRing, sector: str
) -> tuple[Snapshot | None, Snapshot | None]:
    """The sector's latest benchmark snapshot, and its latest published one (None if none)."""
    rows = conn.execute(
        sa.select(benchmark_snapshots)
        .where(benchmark_snapshots.c.sector == sector)
        .order_by(benchmark_snapshots.c.created_at.desc(), benchmark_snapshots.c.id)
    )
    latest = published = None
    for row in rows:
        body = json.loads(ring.open(row.body, row.id.encode()))
        own = {
            o: {m: (float(v), str(q)) for m, (v, q) in ms.items()} for o, ms in body["own"].items()
        }
        snap = Snapshot(
            row.sector, row.period, body["created"], body["means"], own, body["withheld"]
        )
        latest = latest or snap
        if snap.withheld is None:
            published = snap
            break
    return latest, published
