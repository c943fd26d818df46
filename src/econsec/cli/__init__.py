"""The ``econsec`` command: a thin shell over the library.

Heavy modules are imported inside the commands so that ``econsec --help`` and short commands
start fast. Library errors become exit codes here: 2 bad input, 3 not found, 4 insufficient
data, 5 configuration.
"""

from __future__ import annotations

from typing import Any

from econsec.cli import data, demo, network, platform, reference, scenario, screen, watch
from econsec.cli.app import app

__all__ = ["app", "main"]

_COMMAND_MODULES = (data, demo, network, platform, reference, scenario, screen, watch)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``econsec`` console script."""
    return app(args=argv)
