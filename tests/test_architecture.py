"""The rings: the core imports no web, CLI or ORM package, econsec's own imports point inward
(core → storage → application → edges → the server and CLI at the top); public APIs are curated."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

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


#: econsec's rings, inner first; a module may import only from its own ring or inner ones.
RINGS = {
    "core": ("errors", "i18n", "spreadsheet", "highs", "reference", "trade", "analysis",
             "network", "sectors", "scenarios", "intelligence", "access", "sharing", "synthetic",
             "infrastructure", "yamltext"),
    "storage": ("storage",),
    "application": ("app", "report"),
    "edges": ("api", "web", "settings"),
    "top": ("server", "cli", "__main__"),
}  # fmt: skip
SOURCE = Path(__file__).parents[1] / "src" / "econsec"


def _package(module: str) -> str:
    """``reference`` of ``econsec.reference.hs``; empty for the package root."""
    return module.split(".")[1] if "." in module else ""


def _ring(module: str) -> int:
    """The ring of ``econsec.<package>...`` (the package root ``econsec`` is core)."""
    package = _package(module)
    return next((i for i, names in enumerate(RINGS.values()) if package in names), 0)


def _imports() -> dict[str, set[str]]:
    """Every econsec module and the econsec modules it imports, anywhere in its code (function
    bodies included: a hidden import is still an import)."""
    out: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
        out[name] = {m for m in found if m == "econsec" or m.startswith("econsec.")}
    return out


def test_every_package_has_a_ring() -> None:
    packages = {
        p.name.removesuffix(".py")
        for p in SOURCE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    } - {"__init__"}
    assert packages == {name for names in RINGS.values() for name in names}


def test_imports_point_inward_only() -> None:
    outward = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items()
        if "migrations" not in module
        for target in targets
        if _ring(target) > _ring(module)
    )
    assert not outward
    assert len(_imports()) > 100  # the walk found the package


def test_edges_do_not_call_each_other() -> None:
    """The API, the pages and the settings are siblings: a page never calls a route handler."""
    edges = RINGS["edges"]
    crossing = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if _package(module) in edges
        and _package(target) in edges
        and _package(target) not in (_package(module), "settings")
    )
    assert not crossing


def test_http_errors_only_in_the_api() -> None:
    users = sorted(
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "HTTPException" in path.read_text("utf-8")
    )
    assert users and all(u.startswith("api/") or u == "server.py" for u in users), users


def test_the_architecture_document_lists_every_error_and_use_case_module() -> None:
    import econsec.errors as errors
    from econsec.api.errors import STATUS
    from econsec.cli.app import EXIT_CODES

    text = (SOURCE.parents[1] / "docs" / "architecture.md").read_text("utf-8")
    classes = {n for n in errors.__all__ if n not in ("EconsecError", "FieldProblem")}
    assert {n for n in classes if f"`{n}`" not in text} == set()
    for name in classes:  # each maps to an exit code and a status, itself or by its base
        mro = getattr(errors, name).__mro__
        assert any(t in EXIT_CODES for t in mro) and any(t in STATUS for t in mro), name
    assert set(EXIT_CODES) == set(STATUS)
    modules = {p.stem for p in (SOURCE / "app").glob("*.py")} - {"__init__", "journal"}
    assert {m for m in modules if f"app/{m}.py" not in text} == set()


#: The packages whose public functions have numpy-style docstrings with examples.
DOCUMENTED = ["analysis", "network", "scenarios", "sectors", "sharing"]
#: Examples that cannot be doctests, and why (each is run by a test instead).
NOT_DOCTESTS = {"econsec.network.systemic.esri_spark": "needs a Spark session"}


@pytest.mark.parametrize("package", DOCUMENTED)
def test_public_functions_have_numpy_docstrings_with_examples(package: str) -> None:
    """Parameters, Returns and runnable Examples (the doctests run with the suite)."""
    import inspect
    import pkgutil

    root = importlib.import_module(f"econsec.{package}")
    lacking = []
    for info in pkgutil.iter_modules(root.__path__):
        module = importlib.import_module(f"{root.__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not inspect.isfunction(obj) or obj.__module__ != module.__name__:
                continue
            doc = inspect.getdoc(obj) or ""
            sections = ["Returns\n-------", "Examples\n--------"]
            if f"{module.__name__}.{name}" not in NOT_DOCTESTS:
                sections.append(">>> ")
            if inspect.signature(obj).parameters:
                sections.append("Parameters\n----------")
            if not all(s in doc for s in sections):
                lacking.append(f"{module.__name__}.{name}")
    assert not lacking
