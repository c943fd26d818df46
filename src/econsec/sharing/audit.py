"""A tamper-evident audit log: an append-only chain of entries, each hashing its predecessor.

Entry ``i`` stores ``prev`` (the hash of entry ``i - 1``, 64 zeros for the first) and ``hash``,
the SHA-256 of its canonical JSON without ``hash``. Changing, removing or reordering any past
entry breaks every later link; :func:`verify` names the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["GENESIS", "chain_entry", "entry_hash", "verify"]

GENESIS = "0" * 64


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


def chain_entry(previous: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any]:
    """A new entry linked to ``previous`` (None for the first).

    Parameters
    ----------
    previous : mapping or None
        The last entry of the chain.
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
    entry["hash"] = entry_hash(entry)
    return entry


def verify(entries: Iterable[Mapping[str, Any]]) -> int | None:
    """The first entry that was changed, removed or moved; None when the chain is intact.

    Parameters
    ----------
    entries : iterable of mappings
        The chain, in order.

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
    for position, entry in enumerate(entries):
        if (
            entry.get("seq") != position
            or entry.get("prev") != prev
            or entry.get("hash") != entry_hash(entry)
        ):
            return position
        prev = str(entry["hash"])
    return None
