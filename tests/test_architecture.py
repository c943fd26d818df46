"""The three rings: the core imports no web, CLI or ORM package; public APIs are curated."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

CORE = [
    "econsec",
    "econsec.reference",
    "econsec.trade",
    "econsec.analysis",
    "econsec.synthetic",
    "econsec.network",
    "econsec.sectors",
    "econsec.access",
    "econsec.sharing",
    "econsec.sharing.findings",
    "econsec.sharing.records",
    "econsec.scenarios",
    "econsec.intelligence",
    "econsec.storage",
]
EDGE_ONLY = ["fastapi", "starlette", "typer", "click", "sqlalchemy", "rich", "plotly"]
PACKAGES = [*CORE, "econsec.app", "econsec.report", "econsec.api", "econsec.web"]


def test_core_imports_no_edge_package() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "import econsec.trade.baci, econsec.trade.comtrade, econsec.trade.mapped\n"
        "import econsec.analysis.screen, econsec.storage.workspace, econsec.synthetic.world\n"
        "import econsec.intelligence.incidents, econsec.intelligence.sources\n"
        "import econsec.sharing.surveys, econsec.sharing.outflow\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = set(
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
    )
    assert not {m.split(".")[0] for m in loaded} & set(EDGE_ONLY)


@pytest.mark.parametrize("name", PACKAGES)
def test_public_api_is_sorted_and_real(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # isort-style order, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions
    assert exported == sorted(
        exported, key=lambda s: (0 if s.isupper() else 1 if s[0].isupper() else 2, s)
    )
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.{symbol}"


def test_cli_help_lists_commands_and_starts_fast() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "econsec", "--help"], check=True, capture_output=True, text=True
    ).stdout
    for command in ("demo", "data", "reference"):
        assert command in out
    code = "import sys, econsec.cli; print(json.dumps(sorted(sys.modules)))"
    loaded = set(
        json.loads(
            subprocess.run(
                [sys.executable, "-c", "import json;" + code],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    )
    assert not {"duckdb", "pyarrow", "plotly", "numpy"} & {m.split(".")[0] for m in loaded}
