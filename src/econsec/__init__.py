"""econsec: economic-security analytics for governments, firms and researchers.

The package has three rings; imports point inward only:

* core library: :mod:`econsec.reference`, :mod:`econsec.trade`, :mod:`econsec.analysis`,
  :mod:`econsec.synthetic` — pure functions over frozen dataclasses and Arrow tables;
* storage adapters: :mod:`econsec.storage` — the Parquet + DuckDB workspace;
* edges: :mod:`econsec.cli` and :mod:`econsec.report` — they read settings and open stores.
"""

from econsec.errors import (
    AccessDenied,
    ConfigError,
    EconsecError,
    InputError,
    InsufficientData,
    NotFoundError,
)

__all__ = [
    "AccessDenied",
    "ConfigError",
    "EconsecError",
    "InputError",
    "InsufficientData",
    "NotFoundError",
    "__version__",
]

__version__ = "0.1.0"
