"""The review of critical-infrastructure equipment: the sectors, an operator's plan, the
statutory review period, the reviewer's decisions and the risk factors a reviewer sees.

This package is the pure core of the workflow (no storage, no access decisions); the platform
wires it to organisations, the policy and the store.
"""

from econsec.infrastructure.review import (
    PLAN_FIELDS,
    REVIEW_DAYS,
    SECTORS,
    Review,
    Risk,
    Sector,
    caseload,
    decide,
    extend,
    file_plan,
    longest_deadline,
    reminders,
    respond,
    risk_factors,
)

__all__ = [
    "PLAN_FIELDS",
    "REVIEW_DAYS",
    "SECTORS",
    "Review",
    "Risk",
    "Sector",
    "caseload",
    "decide",
    "extend",
    "file_plan",
    "longest_deadline",
    "reminders",
    "respond",
    "risk_factors",
]
