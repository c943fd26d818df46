"""The disclosure guard against the known attacks, and the audit chain against tampering."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from econsec.sharing import Guard, chain_entry, check, verify


def test_four_firms_are_too_few() -> None:
    verdict = check({"Acme": 10.0, "Bolt": 11.0, "Core": 12.0, "Dyna": 13.0})
    assert not verdict.allowed and verdict.rule == "min_firms"
    assert "Acme" not in verdict.message and "4" not in verdict.message  # no identities, no count


def test_one_dominant_firm() -> None:
    cell = {"big": 900.0, **{f"s{i}": 20.0 for i in range(5)}}
    verdict = check(cell)
    assert not verdict.allowed and verdict.rule == "dominance"


def test_p_percent_rule() -> None:
    # Two large firms hold 70 % (dominance passes) but the rest is below 10 % of the largest?
    cell = {"x1": 400.0, "x2": 300.0, "a": 10.0, "b": 10.0, "c": 10.0, "d": 5.0}
    assert check(cell, guard=Guard(dominance_share=0.99)).rule == "p_percent"
    assert check(cell, guard=Guard(dominance_share=0.99, p_percent=5.0)).allowed


def test_two_overlapping_releases() -> None:
    first = {f"f{i}": 10.0 for i in range(6)}
    assert check(first).allowed
    second = {**first, "newcomer": 10.0}  # differs by one firm: subtraction reveals it
    verdict = check(second, earlier=[frozenset(first)])
    assert not verdict.allowed and verdict.rule == "differencing"
    third = {**first, **{f"n{i}": 10.0 for i in range(5)}}  # differs by five: allowed
    assert check(third, earlier=[frozenset(first)]).allowed
    assert check(first, earlier=[frozenset(first)]).allowed  # the same set again


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 1e6), min_size=5, max_size=30))
def test_released_cells_never_have_a_dominant_pair(values: list[float]) -> None:
    cell = {f"f{i}": v for i, v in enumerate(values)}
    verdict = check(cell)
    if verdict.allowed:
        ordered = sorted(values, reverse=True)
        assert ordered[0] + ordered[1] <= 0.8 * sum(values) + 1e-9
        assert sum(ordered[2:]) >= 0.1 * ordered[0] - 1e-9


def _log(n: int) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for i in range(n):
        entries.append(
            chain_entry(
                entries[-1] if entries else None,
                actor=f"user{i % 3}",
                action="read",
                resource=f"submission/{i}",
                allowed=i % 2 == 0,
            )
        )
    return entries


def test_audit_chain_detects_changes_removals_and_reordering() -> None:
    log = _log(10)
    assert verify(log) is None
    changed = copy.deepcopy(log)
    changed[4]["allowed"] = not changed[4]["allowed"]
    assert verify(changed) == 4
    removed = log[:3] + log[4:]
    assert verify(removed) == 3
    swapped = [*log[:2], log[3], log[2], *log[4:]]
    assert verify(swapped) == 2
    forged = copy.deepcopy(log)
    forged[6]["actor"] = "intruder"
    forged[6]["hash"] = "0" * 64
    assert verify(forged) == 6
    assert verify(log[:-1]) is None  # truncation at the end needs the stored head to detect
