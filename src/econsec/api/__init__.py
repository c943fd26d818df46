"""The HTTP API (an edge): thin routes over the application layer, the only place that knows
HTTP statuses (:mod:`econsec.api.errors`). The server (:mod:`econsec.server`) mounts
:data:`ROUTERS`."""

from econsec.api import (
    audit,
    auth,
    docs,
    intelligence,
    plans,
    programmes,
    sharing,
    submissions,
    surveys,
    taxii,
)

__all__ = ["ROUTERS"]

ROUTERS = tuple(
    m.router
    for m in (
        auth,
        submissions,
        sharing,
        intelligence,
        programmes,
        plans,
        surveys,
        audit,
        taxii,
        docs,
    )
)
