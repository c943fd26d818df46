"""The ``econsec`` command: a thin shell over the library and the application layer.

Every module of this package except :mod:`econsec.cli.app` adds its commands to the root
application when imported; they are discovered here, so adding a command group is adding a
module. Heavy modules are imported inside the commands, so that ``econsec --help`` and short
commands start fast. Library errors become exit codes in one place
(:data:`econsec.cli.app.EXIT_CODES`).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from econsec.cli.app import app

__all__ = ["COMMAND_MODULES", "app", "main"]

#: The command modules, discovered in this package.
COMMAND_MODULES = tuple(
    importlib.import_module(f"{__name__}.{m.name}")
    for m in pkgutil.iter_modules(__path__)
    if m.name != "app"
)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``econsec`` console script."""
    return app(args=argv)
