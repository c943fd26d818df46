"""Group commit of audit entries.

Every request appends at least one audit entry, and each append must be durable before the
request is answered. Committing each alone makes the database's log flush (and the chain's lock)
the bottleneck; the journal instead hands entries to one writer thread that appends whatever has
queued up in one transaction, then wakes every caller of that batch. Callers still block until
their own entry is committed, and a failed commit is raised in each of them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

import sqlalchemy as sa

from econsec.storage import platform as store
from econsec.storage.sealing import KeyRing

__all__ = ["AuditJournal"]

Entry = tuple[str, str, str, bool, str]


class AuditJournal:
    """Appends audit entries in batches of up to ``batch`` through ``write`` transactions."""

    def __init__(
        self,
        write: Callable[[], AbstractContextManager[sa.Connection]],
        ring: KeyRing,
        batch: int = 500,
    ) -> None:
        self._write = write
        self._ring = ring
        self._batch = batch
        self._queue: queue.SimpleQueue[tuple[Entry, threading.Event, list[BaseException]] | None]
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-journal", daemon=True)
        self._thread.start()

    def append(self, entry: Entry) -> None:
        """Append ``entry`` and return once it is committed."""
        done = threading.Event()
        failure: list[BaseException] = []
        self._queue.put((entry, done, failure))
        done.wait()
        if failure:
            raise failure[0]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            closing = False
            while len(batch) < self._batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    closing = True
                    break
                batch.append(more)
            try:
                with self._write() as conn:
                    store.append_audits(conn, self._ring, [entry for entry, _, _ in batch])
            except Exception as exc:  # handed to every waiting caller
                for _, _, failure in batch:
                    failure.append(exc)
            for _, done, _ in batch:
                done.set()
            if closing:
                return
