"""A silent HiGHS model: the linear-programming solver of the mitigation plans and the
release ledger's audit."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

__all__ = ["model"]

_BANNER = threading.Lock()


def model() -> Any:
    """A new ``highspy.Highs`` with its output off.

    HiGHS prints a banner on the process's standard output when the first model is made, which
    would spoil JSON output; it is sent to the null device (under a lock: file descriptor 1 is
    shared by every thread).
    """
    import highspy

    with _BANNER:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h
