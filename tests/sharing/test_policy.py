"""The access policy as a role × clearance × action × classification matrix."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from econsec.access import (
    ROLE_KINDS,
    ROLES,
    AccessDenied,
    Classification,
    Clearance,
    Resource,
    Subject,
    decide,
    ensure_allowed,
)

NOW = dt.datetime(2026, 11, 27, 12, 0)
VALID = Clearance("confidential", frozenset({"semiconductors"}), dt.date(2030, 1, 1), "Minister")
EXPIRED = Clearance(
    "confidential", frozenset({"semiconductors"}), dt.date(2026, 11, 26), "Minister"
)
REVOKED = Clearance(
    "top_secret", frozenset({"semiconductors"}), dt.date(2030, 1, 1), "Minister", True
)
CLEARANCES = {"none": Clearance(), "valid": VALID, "expired": EXPIRED, "revoked": REVOKED}


def subject(role: str, clearance: str = "none", org: str = "A") -> Subject:
    kind = ROLE_KINDS[role]
    return Subject("u", role, org if kind != "government" else "GOV", kind, CLEARANCES[clearance])


def expected_read(role: str, clearance: str, classification: Classification, own: bool) -> bool:
    if role == "platform_admin":
        return False
    if own and role in ("firm_submitter", "firm_admin"):
        return True
    if classification in (Classification.PUBLIC, Classification.SHARED):
        return True
    return role == "cleared_analyst" and clearance == "valid"


@pytest.mark.parametrize(
    ("role", "clearance", "classification", "own"),
    list(itertools.product(ROLES, CLEARANCES, Classification, (True, False))),
)
def test_read_matrix(role: str, clearance: str, classification: Classification, own: bool) -> None:
    s = subject(role, clearance, org="A" if own else "B")
    r = Resource("submission", classification, owner_org="A", compartment="semiconductors")
    assert decide(s, "read", r, NOW).allowed == expected_read(role, clearance, classification, own)


def test_compartments_and_immediate_expiry() -> None:
    r = Resource("finding", Classification.CONFIDENTIAL, compartment="critical_minerals")
    assert not decide(subject("cleared_analyst", "valid"), "read_findings", r, NOW).allowed
    r = Resource("finding", Classification.CONFIDENTIAL, compartment="semiconductors")
    assert decide(subject("cleared_analyst", "valid"), "read_findings", r, NOW).allowed
    last_day = dt.datetime(2030, 1, 1, 23, 59)
    assert decide(subject("cleared_analyst", "valid"), "read_findings", r, last_day).allowed
    assert not decide(
        subject("cleared_analyst", "valid"), "read_findings", r, last_day + dt.timedelta(minutes=1)
    ).allowed


@pytest.mark.parametrize("role", ROLES)
def test_other_actions(role: str) -> None:
    own = Resource("submission", owner_org="A")
    other = Resource("submission", owner_org="B")
    audit = Resource("audit_log")
    s = subject(role, "valid")
    firm = role in ("firm_submitter", "firm_admin")
    assert decide(s, "submit", own, NOW).allowed == firm
    assert not decide(s, "submit", other, NOW).allowed
    assert decide(s, "withdraw", own, NOW).allowed == firm
    assert decide(s, "read_audit", audit, NOW).allowed == (role == "auditor")
    assert decide(s, "read", audit, NOW).allowed == (role == "auditor")
    assert decide(s, "manage_accounts", Resource("account"), NOW).allowed == (
        role == "platform_admin"
    )
    assert decide(
        s, "publish_release", Resource("release", Classification.SHARED), NOW
    ).allowed == (role == "cleared_analyst")


def test_raising_twin_and_unknowns() -> None:
    with pytest.raises(AccessDenied, match="needs a valid clearance"):
        ensure_allowed(
            subject("analyst"), "read", Resource("finding", Classification.RESTRICTED), NOW
        )
    assert not decide(Subject("u", "king", "A", "firm"), "read", Resource("x"), NOW).allowed
    assert not decide(subject("analyst"), "delete", Resource("x"), NOW).allowed


def _firm(contributing: bool, sector: str = "C29") -> Subject:
    return Subject("f", "firm_submitter", "A", "firm", sector=sector, contributing=contributing)


@pytest.mark.parametrize(
    ("who", "audience", "allowed"),
    [
        (_firm(False), "public", True),
        (_firm(False), "all_firms", False),
        (_firm(True), "all_firms", True),
        (_firm(True), "sector:C29", True),
        (_firm(True), "sector:C26", False),
        (subject("analyst"), "sector:C26", True),
        (subject("auditor"), "all_firms", False),
        (subject("platform_admin"), "public", False),
    ],
)
def test_release_audiences(who: Subject, audience: str, allowed: bool) -> None:
    r = Resource("release", Classification.SHARED, audience=audience)
    assert decide(who, "read", r, NOW).allowed is allowed


def test_benchmarks_only_for_contributing_firms() -> None:
    r = Resource("benchmark", owner_org="A")
    assert decide(_firm(True), "read_benchmarks", r, NOW).allowed
    assert not decide(_firm(False), "read_benchmarks", r, NOW).allowed
    assert not decide(subject("cleared_analyst", "valid"), "read_benchmarks", r, NOW).allowed


def test_equipment_plans_are_seen_by_their_operator_and_their_sector_s_reviewers_only() -> None:
    plan = Resource(
        "plan", Classification.CONFIDENTIAL, owner_org="Power", compartment="electricity"
    )
    valid = Clearance("confidential", frozenset({"electricity"}), dt.date(2030, 1, 1))
    other_sector = Clearance("confidential", frozenset({"gas"}), dt.date(2030, 1, 1))
    expired = Clearance("confidential", frozenset({"electricity"}), dt.date(2020, 1, 1))
    operator = Subject("o", "operator_submitter", "Power", "operator")
    rival = Subject("r", "operator_submitter", "Grid", "operator")
    cases = {
        "the operator": (operator, {"file_plan", "read_plan"}),
        "another operator": (rival, set()),
        "its sector's reviewer": (Subject("v", "reviewer", "GOV", "government", valid),
                                  {"read_plan", "review_plan"}),
        "another sector's reviewer": (Subject("v", "reviewer", "GOV", "government", other_sector),
                                      set()),
        "a reviewer whose clearance expired": (
            Subject("v", "reviewer", "GOV", "government", expired), set()),
        "a cleared analyst": (Subject("a", "cleared_analyst", "GOV", "government", valid), set()),
        "a firm": (Subject("f", "firm_admin", "Power", "firm"), set()),
        "a reviewer account in an operator": (Subject("v", "reviewer", "Power", "operator", valid),
                                              set()),
    }  # fmt: skip
    for who, (s, allowed) in cases.items():
        got = {
            a for a in ("file_plan", "read_plan", "review_plan") if decide(s, a, plan, NOW).allowed
        }
        assert got == allowed, who
    # an operator reads no one else's submissions either, and submits none as a firm would
    assert not decide(operator, "submit", Resource("submission", owner_org="Power"), NOW).allowed
