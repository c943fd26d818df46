"""Access control: clearances, roles, classifications and the one decision function."""

from econsec.access.policy import (
    ACTIONS,
    ROLES,
    AccessDenied,
    Classification,
    Clearance,
    Decision,
    Resource,
    Subject,
    decide,
    ensure_allowed,
    is_allowed,
)

__all__ = [
    "ACTIONS",
    "ROLES",
    "AccessDenied",
    "Classification",
    "Clearance",
    "Decision",
    "Resource",
    "Subject",
    "decide",
    "ensure_allowed",
    "is_allowed",
]
