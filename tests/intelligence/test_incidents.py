"""The incident register: checked records, CSV/JSON round trips, and links to trade events."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.errors import RecordsRejected
from econsec.intelligence import Event
from econsec.intelligence.incidents import (
    dump_csv,
    dump_json,
    known_incidents,
    load,
    load_file,
    matches,
    supports,
)
from econsec.sharing.records import IncidentReport

BARLEY = {
    "title": "duties on barley", "implementing": "CHN", "affected": "AUS",
    "products": "1003;Barley", "family": "goods", "pretext": "other",
    "announced": "2020-05-18", "implemented": "2020-05-19", "removed": "2023-08-05",
}  # fmt: skip


def _event(x: str, i: str, product: str, period: str) -> Event:
    return Event(x, i, product, period, 0.9, 3, 0.9)


def test_fields_are_checked_and_every_bad_one_is_named() -> None:
    with pytest.raises(RecordsRejected) as err:
        load([BARLEY, {**BARLEY, "implementing": "Atlantis", "family": "sanctions"}],
             source="register.csv")  # fmt: skip
    text = str(err.value)
    assert "register.csv: 2 problems" in text
    assert "row 2, field 'implementing': expected country codes or names" in text
    assert "row 2, field 'family': expected one of goods, people, business, capital" in text
    with pytest.raises(RecordsRejected) as err:
        load([{**BARLEY, "announced": "", "implemented": ""},
              {**BARLEY, "removed": "2019-01-01"}])  # fmt: skip
    text = str(err.value)
    assert "row 1, field 'implemented': give announced or implemented" in text
    assert "row 2, field 'removed': expected a date after implemented" in text
    (incident,) = load([BARLEY])
    assert incident.implementing == ("CHN",) and incident.products == ("1003", "Barley")
    assert incident.in_force is False and incident.assessment == "unassessed"
    with pytest.raises(RecordsRejected, match="duplicate id 'x'"):
        load([{**BARLEY, "id": "x"}, {**BARLEY, "id": "x"}])
    with pytest.raises(RecordsRejected, match="expected a JSON array"):
        load_file(b'{"title": 1}', "register.json")


def test_the_seed_register_reads_back_from_csv_and_json() -> None:
    seed = known_incidents()
    assert len(seed) >= 12 and all(i.sources for i in seed)
    assert load_file(dump_csv(seed), "r.csv") == seed
    assert load_file(dump_json(seed).encode(), "r.json") == seed


_text = st.text(st.characters(min_codepoint=33, max_codepoint=0x30FF, exclude_characters=";,\""),
                min_size=1, max_size=30).map(str.strip).filter(bool)  # fmt: skip


@given(
    title=_text,
    products=st.lists(_text, max_size=3),
    start=st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
    days=st.one_of(st.none(), st.integers(0, 4000)),
)
def test_any_register_round_trips(
    title: str, products: list[str], start: dt.date, days: int | None
) -> None:
    record = {**BARLEY, "title": title, "products": products or None,
              "announced": start.isoformat(), "implemented": start.isoformat(),
              "removed": (start + dt.timedelta(days=days)).isoformat() if days is not None
              else None}  # fmt: skip
    incidents = load([record])
    assert load_file(dump_csv(incidents), "r.csv") == incidents
    assert load_file(json.dumps([i.as_dict() for i in incidents]).encode(), "r.json") == incidents


def test_events_link_in_both_directions_within_the_onset_window() -> None:
    (barley,) = load([BARLEY])
    # an import ban: the implementer imports
    assert matches(barley, _event("AUS", "CHN", "100390", "2020-06"))
    assert matches(barley, _event("Australia", "China", "Barley", "2021"))  # annual, names
    assert not matches(barley, _event("CAN", "CHN", "100390", "2020-06"))  # not affected
    assert not matches(barley, _event("AUS", "CHN", "120510", "2020-06"))  # other product
    assert not matches(barley, _event("AUS", "CHN", "100390", "2019-12"))  # before
    assert not matches(barley, _event("AUS", "CHN", "100390", "2021-06"))  # after the onset
    # an export control on every destination
    (gage,) = [i for i in known_incidents() if i.id == "chn-gage-2023"]
    assert matches(gage, _event("CHN", "Japan", "Gallium/Germanium", "2023-08"))
    assert matches(gage, _event("CHN", "KOR", "81129290", "2023-07"))  # announced in July
    assert not matches(gage, _event("JPN", "CHN", "811292", "2023-08"))


def test_firm_reports_support_incidents() -> None:
    (barley,) = load([BARLEY])
    report = IncidentReport("goods", "quarantine", "CHN", "2020-07-01", "high", "100390")
    assert supports(barley, report)
    assert not supports(barley, replace(report, country="USA"))
    assert not supports(barley, replace(report, date="2024-01-01"))
    assert supports(barley, replace(report, product=None))
