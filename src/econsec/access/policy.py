"""Access control as data and one decision function.

Every access to platform data is decided by :func:`decide` from the subject (who: role,
organisation, clearance), the action and the resource (what: kind, owning organisation,
classification, compartment) at a time ``now``. :func:`ensure_allowed` is the raising twin; edges
turn :class:`AccessDenied` into 403, or into 404 for objects, so that a hidden object looks
exactly like a missing one.

Classifications (TLP 2.0 where one applies):

* ``PUBLIC`` (TLP:CLEAR) — every signed-in user;
* ``SHARED`` (TLP:GREEN) — every signed-in user of the community;
* ``RESTRICTED`` (TLP:AMBER) — the submitting organisation and cleared analysts;
* ``CONFIDENTIAL`` — cleared analysts holding the resource's compartment with a clearance that
  is valid now (level at least confidential, not expired, not revoked).

Released alerts (kind ``release``) go by audience: ``public`` to everyone signed in;
``all_firms`` and ``sector:CODE`` to government users and to firms (of that sector) that have a
current submission — the give and take of the platform; ``all_operators`` and ``sector:CODE`` to
operators of essential infrastructure (of that sector) that have filed a plan; benchmark reports
likewise only to contributing firms.

Intelligence — the incident register, detected trade events, outflow summaries, and defining
surveys — is for government analysts. A survey is answered by the firms of its audience; its
results (after the disclosure guard) go to government analysts and to the firms that answered.

Critical-infrastructure equipment plans (kind ``plan``, compartment = the operator's sector) are
filed and read by their operator and read and reviewed by reviewers holding a valid clearance for
that sector; nobody else sees one.

Roles follow organisations: firm roles are held in firms, the operator's role in
critical-infrastructure operators, government roles (and the platform administrator's) in
government organisations; any other subject is refused everything, so an
account created in the wrong organisation (by mistake or by an insider) cannot read as an
analyst. An organisation always sees what it submitted itself. The platform administrator manages
accounts and reads no firm data. Clearances are checked on every call, so an expiry or a
revocation takes effect at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from econsec.errors import AccessDenied

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

ROLES = ("firm_submitter", "firm_admin", "analyst", "cleared_analyst", "auditor", "platform_admin",
         "operator_submitter", "reviewer")  # fmt: skip
#: The kind of organisation that may hold each role: firm roles in firms, the others (the
#: platform's operator included) in government organisations.
ROLE_KINDS = {
    "firm_submitter": "firm",
    "firm_admin": "firm",
    "analyst": "government",
    "cleared_analyst": "government",
    "auditor": "government",
    "platform_admin": "government",
    "operator_submitter": "operator",
    "reviewer": "government",
}
ACTIONS = (
    "read",
    "submit",
    "withdraw",
    "read_findings",
    "publish_release",
    "read_benchmarks",
    "read_audit",
    "manage_accounts",
    "read_intelligence",
    "manage_intelligence",
    "answer_survey",
    "read_survey_results",
    "file_plan",
    "read_plan",
    "review_plan",
)
_LEVELS = {"none": 0, "confidential": 1, "top_secret": 2}


class Classification(Enum):
    PUBLIC = "PUBLIC"
    SHARED = "SHARED"
    RESTRICTED = "RESTRICTED"
    CONFIDENTIAL = "CONFIDENTIAL"


@dataclass(frozen=True, slots=True)
class Clearance:
    """A security clearance: level, compartments, validity and the official who designated it."""

    level: str = "none"
    compartments: frozenset[str] = frozenset()
    valid_until: dt.date | None = None
    designated_by: str = ""
    revoked: bool = False

    def valid_on(self, day: dt.date) -> bool:
        return (
            _LEVELS.get(self.level, 0) >= _LEVELS["confidential"]
            and not self.revoked
            and self.valid_until is not None
            and day <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class Subject:
    """Who asks: a user with a role in an organisation (firm or government)."""

    user: str
    role: str
    org: str
    org_kind: str  # "firm" or "government"
    clearance: Clearance = field(default_factory=Clearance)
    sector: str | None = None
    contributing: bool = False  # the organisation has a current submission


@dataclass(frozen=True, slots=True)
class Resource:
    """What is asked for."""

    kind: str  # submission, finding, release, benchmark, audit_log, account
    classification: Classification = Classification.RESTRICTED
    owner_org: str | None = None
    compartment: str | None = None
    audience: str | None = None  # releases and surveys: public, all_firms or sector:CODE
    participants: frozenset[str] = frozenset()  # surveys: organisations that answered


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str


def _cleared(s: Subject, r: Resource, today: dt.date) -> bool:
    if s.role != "cleared_analyst" or not s.clearance.valid_on(today):
        return False
    if r.classification is Classification.CONFIDENTIAL:
        return r.compartment is not None and r.compartment in s.clearance.compartments
    return True


def _government_analyst(s: Subject) -> bool:
    return s.org_kind == "government" and s.role in ("analyst", "cleared_analyst")


def _may_read_release(s: Subject, r: Resource) -> Decision:
    if r.audience == "public":
        return Decision(True, "public release")
    if _government_analyst(s):
        return Decision(True, "release: government analysts")
    if s.org_kind == "operator" and s.contributing:  # operators who have filed a plan
        if r.audience == "all_operators" or r.audience == f"sector:{s.sector}":
            return Decision(True, f"release to {r.audience}")
        return Decision(False, f"release to {r.audience}: not this operator's audience")
    if s.org_kind != "firm" or not s.contributing:
        return Decision(False, "release: firms with a current submission only")
    if r.audience == "all_firms" or r.audience == f"sector:{s.sector}":
        return Decision(True, f"release to {r.audience}")
    return Decision(False, f"release to {r.audience}: not this firm's audience")


def _may_read(s: Subject, r: Resource, today: dt.date) -> Decision:
    if s.role == "platform_admin":
        return Decision(False, "the platform administrator manages accounts and reads no data")
    if r.kind == "release":
        return _may_read_release(s, r)
    if r.kind == "audit_log":
        return Decision(s.role == "auditor", "audit log: auditors only")
    if (
        r.owner_org is not None
        and r.owner_org == s.org
        and s.role in ("firm_submitter", "firm_admin")
    ):
        return Decision(True, "own organisation's record")
    if r.classification in (Classification.PUBLIC, Classification.SHARED):
        return Decision(True, f"{r.classification.value}: every signed-in user")
    if _cleared(s, r, today):
        return Decision(True, f"{r.classification.value}: cleared analyst")
    return Decision(
        False,
        f"{r.classification.value}: needs a valid clearance"
        + (f" with compartment {r.compartment}" if r.compartment else ""),
    )


def _reviewer(s: Subject, r: Resource, today: dt.date) -> bool:
    """A ministry's reviewer with a valid clearance for the plan's sector (its compartment)."""
    return (s.role == "reviewer" and s.clearance.valid_on(today)
            and r.compartment is not None and r.compartment in s.clearance.compartments)  # fmt: skip


def _plans(s: Subject, action: str, r: Resource, today: dt.date) -> Decision:
    """Critical-infrastructure equipment plans: an operator files and reads its own; the
    reviewers of the plan's sector read and review it; nobody else sees one."""
    own = s.org_kind == "operator" and s.role == "operator_submitter" and r.owner_org == s.org
    if action == "file_plan":
        return Decision(own, "plans: operators file their own")
    if action == "read_plan":
        return Decision(own or _reviewer(s, r, today),
                        "plans: the operator and its sector's reviewers")  # fmt: skip
    return Decision(_reviewer(s, r, today), "plans: reviewers of the plan's sector")


def decide(s: Subject, action: str, r: Resource, now: dt.datetime) -> Decision:
    """The one access decision (see the module docstring)."""
    if s.role not in ROLES:
        return Decision(False, f"unknown role {s.role!r}")
    if ROLE_KINDS[s.role] != s.org_kind:
        return Decision(False, f"the role {s.role} is not held in a {s.org_kind} organisation")
    today = now.date()
    if action == "manage_accounts":
        return Decision(s.role == "platform_admin", "accounts: platform administrator only")
    if action == "read_audit":
        return Decision(s.role == "auditor", "audit log: auditors only")
    if action in ("submit", "withdraw"):
        ok = (
            s.org_kind == "firm"
            and s.role in ("firm_submitter", "firm_admin")
            and r.owner_org == s.org
        )
        return Decision(ok, "firms submit and withdraw their own records")
    if action == "read_benchmarks":
        ok = s.org_kind == "firm" and s.role in ("firm_submitter", "firm_admin") and s.contributing
        return Decision(ok, "benchmarks: firms with a current submission")
    if action == "read_findings":
        return Decision(_cleared(s, r, today), "findings: cleared analysts with the compartment")
    if action == "publish_release":
        return Decision(_cleared(s, r, today), "releases: cleared analysts")
    if action in ("read_intelligence", "manage_intelligence"):
        return Decision(_government_analyst(s), "intelligence: government analysts")
    if action == "answer_survey":
        ok = (
            s.org_kind == "firm"
            and s.role in ("firm_submitter", "firm_admin")
            and (r.audience == "all_firms" or r.audience == f"sector:{s.sector}")
        )
        return Decision(ok, "surveys: firms of the survey's audience")
    if action == "read_survey_results":
        ok = _government_analyst(s) or (s.org_kind == "firm" and s.org in r.participants)
        return Decision(ok, "survey results: government analysts and the firms that answered")
    if action in ("file_plan", "read_plan", "review_plan"):
        return _plans(s, action, r, today)
    if action == "read":
        return _may_read(s, r, today)
    return Decision(False, f"unknown action {action!r}")


def is_allowed(s: Subject, action: str, r: Resource, now: dt.datetime) -> bool:
    return decide(s, action, r, now).allowed


def ensure_allowed(s: Subject, action: str, r: Resource, now: dt.datetime) -> Decision:
    """:func:`decide`, raising :class:`AccessDenied` when refused."""
    decision = decide(s, action, r, now)
    if not decision.allowed:
        raise AccessDenied(decision.reason)
    return decision
