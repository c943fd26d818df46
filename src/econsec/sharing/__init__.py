"""Confidential sharing: the disclosure guard and the tamper-evident audit chain."""

from econsec.sharing.audit import GENESIS, chain_entry, entry_hash, verify
from econsec.sharing.disclosure import Guard, Verdict, check

__all__ = ["GENESIS", "Guard", "Verdict", "chain_entry", "check", "entry_hash", "verify"]
