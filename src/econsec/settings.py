"""Settings read at the edges: where the workspace is.

``--workspace DIR`` wins, then the environment variable ``ECONSEC_WORKSPACE``, then the
platform's user data folder (``~/.local/share/econsec`` on Linux, ``~/Library/Application
Support/econsec`` on macOS, ``%LOCALAPPDATA%\\econsec`` on Windows).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["WORKSPACE_ENV", "workspace_path"]

WORKSPACE_ENV = "ECONSEC_WORKSPACE"


def workspace_path(option: Path | None) -> Path:
    """The workspace folder from the option, the environment or the platform default."""
    if option is not None:
        return option.expanduser()
    if os.environ.get(WORKSPACE_ENV):
        return Path(os.environ[WORKSPACE_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("econsec", appauthor=False))
