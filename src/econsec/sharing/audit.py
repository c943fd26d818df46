"""A tamper-evident audit log: an append-only chain of entries, each sealing its predecessor.

Entry ``i`` stores ``prev`` (the ``hash`` of entry ``i - 1``, 64 zeros for the first) and
``hash``: the SHA-256 digest of its canonical JSON without ``hash``, sealed with a keyed MAC
(HMAC-SHA256 under a key kept outside the database, in the key ring: see :class:`Sealer`).
Changing, removing or reordering a past entry breaks every later link; without the key, no one
with access to the database can build a consistent chain again. :func:`verify` names the first
bad entry.

What a chain alone cannot show is the loss of its last entries (the rest is still a valid
chain). A **checkpoint** — the sequence number and ``hash`` of the last entry, with the time,
signed with the same key (:func:`checkpoint`) — is kept elsewhere; :func:`against_checkpoint`
then finds a log cut short, and any rewrite since, even by someone holding the key.

Without a sealer (``None``) the chain is plain SHA-256, as logs written before econsec kept
the key were; :func:`verify` reads both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

__all__ = [
    "GENESIS",
    "Sealer",
    "against_checkpoint",
    "chain_entry",
    "checkpoint",
    "entry_hash",
    "verify",
]

GENESIS = "0" * 64


class Sealer(Protocol):
    """Seals a digest with a secret key (:class:`econsec.storage.sealing.KeyRing` is one)."""

    def tag(self, data: bytes) -> str: ...

    def valid(self, data: bytes, tag: str) -> bool: ...


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the entry's canonical JSON, leaving out its own ``hash``.

    Parameters
    ----------
    entry : mapping
        An audit entry.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> entry_hash({"seq": 0, "actor": "a", "hash": "ignored"}) == entry_hash({"seq": 0, "actor": "a"})
    True
    """
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _seal(entry: Mapping[str, Any], sealer: Sealer | None) -> str:
    digest = entry_hash(entry)
    return digest if sealer is None else sealer.tag(digest.encode())


def _sealed_right(entry: Mapping[str, Any], sealer: Sealer | None, plain_ok: bool) -> bool:
    found = str(entry.get("hash"))
    digest = entry_hash(entry)
    if "." not in found:  # a plain entry: where no key is given, or in a legacy prefix
        return (sealer is None or plain_ok) and found == digest
    return sealer is not None and sealer.valid(digest.encode(), found)


def chain_entry(
    previous: Mapping[str, Any] | None, sealer: Sealer | None = None, **fields: Any
) -> dict[str, Any]:
    """A new entry linked to ``previous`` (None for the first), sealed with ``sealer``.

    Parameters
    ----------
    previous : mapping or None
        The last entry of the chain.
    sealer : Sealer, optional
        The key that seals the entry (None: a plain SHA-256 chain).
    **fields
        The entry's fields (actor, action, resource, allowed, reason, at).

    Returns
    -------
    dict
        The fields with ``seq``, ``prev`` (the previous hash) and ``hash``.

    Examples
    --------
    >>> first = chain_entry(None, actor="a", action="read")
    >>> second = chain_entry(first, actor="b", action="read")
    >>> first["prev"] == GENESIS, second["seq"], second["prev"] == first["hash"]
    (True, 1, True)
    """
    entry: dict[str, Any] = {
        **fields,
        "seq": 0 if previous is None else int(previous["seq"]) + 1,
        "prev": GENESIS if previous is None else str(previous["hash"]),
    }
    entry["hash"] = _seal(entry, sealer)
    return entry


def verify(
    entries: Iterable[Mapping[str, Any]], sealer: Sealer | None = None, *, legacy: bool = False
) -> int | None:
    """The first entry that was changed, removed, moved or sealed without the key; None when
    the chain is intact.

    Parameters
    ----------
    entries : iterable of mappings
        The chain, in order.
    sealer : Sealer, optional
        The key the entries were sealed with (None: a plain chain).
    legacy : bool
        Accept plain entries before the first sealed one (a log from before the key, which
        :func:`econsec.app.audit.anchor` then seals once).

    Returns
    -------
    int or None
        The position of the first bad entry.

    Examples
    --------
    >>> log = [chain_entry(None, actor="a")]
    >>> log.append(chain_entry(log[0], actor="b"))
    >>> verify(log) is None, verify([log[1]]), verify([{**log[0], "actor": "x"}, log[1]])
    (True, 0, 0)
    """
    prev = GENESIS
    plain_ok = legacy
    for position, entry in enumerate(entries):
        if (
            entry.get("seq") != position
            or entry.get("prev") != prev
            or not _sealed_right(entry, sealer, plain_ok)
        ):
            return position
        prev = str(entry["hash"])
        plain_ok = plain_ok and "." not in prev
    return None


def _checkpoint_text(seq: int, head: str, at: str) -> bytes:
    return f"econsec audit checkpoint|{seq}|{head}|{at}".encode()


def checkpoint(entries: Sequence[Mapping[str, Any]], sealer: Sealer, at: str) -> dict[str, Any]:
    """A signed checkpoint of the chain's head, to keep outside the database.

    Parameters
    ----------
    entries : sequence of mappings
        The chain, in order (its last entry is the head).
    sealer : Sealer
        The key.
    at : str
        The time (ISO 8601).

    Returns
    -------
    dict
        ``seq`` (-1 for an empty log), ``head``, ``at`` and ``signature``.

    Examples
    --------
    >>> class Key:
    ...     def tag(self, data): return "k." + hashlib.sha256(b"secret" + data).hexdigest()
    ...     def valid(self, data, tag): return tag == self.tag(data)
    >>> log = [chain_entry(None, Key(), actor="a")]
    >>> mark = checkpoint(log, Key(), "2026-12-01T00:00:00+00:00")
    >>> mark["seq"], mark["head"] == log[0]["hash"]
    (0, True)
    """
    seq = int(entries[-1]["seq"]) if entries else -1
    head = str(entries[-1]["hash"]) if entries else GENESIS
    signature = sealer.tag(_checkpoint_text(seq, head, at))
    return {"seq": seq, "head": head, "at": at, "signature": signature}


def against_checkpoint(
    entries: Sequence[Mapping[str, Any]], mark: Mapping[str, Any], sealer: Sealer
) -> str | None:
    """What is wrong with the chain against a checkpoint taken earlier; None when it holds.

    Parameters
    ----------
    entries : sequence of mappings
        The chain, in order.
    mark : mapping
        A checkpoint from :func:`checkpoint`.
    sealer : Sealer
        The key.

    Returns
    -------
    str or None
        Why the chain does not extend the checkpoint: a forged checkpoint, a log cut short, or
        an entry rewritten since.

    Examples
    --------
    >>> class Key:
    ...     def tag(self, data): return "k." + hashlib.sha256(b"secret" + data).hexdigest()
    ...     def valid(self, data, tag): return tag == self.tag(data)
    >>> log = [chain_entry(None, Key(), actor="a")]
    >>> log.append(chain_entry(log[0], Key(), actor="b"))
    >>> mark = checkpoint(log, Key(), "2026-12-01T00:00:00+00:00")
    >>> against_checkpoint(log, mark, Key()) is None
    True
    >>> against_checkpoint(log[:1], mark, Key())
    'the log ends at entry 0, before the checkpoint of entry 1: entries were removed'
    """
    try:
        seq, head, at = int(mark["seq"]), str(mark["head"]), str(mark["at"])
        signed = sealer.valid(_checkpoint_text(seq, head, at), str(mark["signature"]))
    except (KeyError, TypeError, ValueError):
        signed = False
    if not signed:
        return "the checkpoint is not signed with this platform's key"
    last = int(entries[-1]["seq"]) if entries else -1
    if last < seq:
        return (
            f"the log ends at entry {last}, before the checkpoint of entry {seq}: "
            "entries were removed"
        )
    if seq >= 0 and str(entries[seq]["hash"]) != head:
        return f"entry {seq} differs from the checkpoint: the log was rewritten since"
    return None
