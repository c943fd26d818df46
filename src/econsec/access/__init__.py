"""Access control: clearances, roles, classifications and the one decision function."""

from econsec.access.policy import (
    ACTIONS,
    ROLE_KINDS,
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
    "ROLE_KINDS",
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
