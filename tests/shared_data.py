"""Paths to the real datasets and small helpers shared by tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ECONSEC_SHARED_DATA", ROOT.parent / "shared" / "data"))
CMA = DATA / "critical_materials_atlas_baci"


def snapshot(root: Path) -> dict[str, str]:
    """Every file of a workspace (but its lock file) with the hash of its bytes."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }
