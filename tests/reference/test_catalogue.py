"""The critical product catalogue: dated lists and HS6 lookups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from econsec.errors import ConfigError, NotFoundError
from econsec.reference.catalogue import (
    groups_containing,
    groups_on,
    load_catalogue,
    select_products,
)
from econsec.reference.hs import load_nomenclature
from shared_data import DATA


def test_japan_list_over_time() -> None:
    assert len(groups_on("japan", dt.date(2022, 12, 22))) == 0  # decided 20 Dec, not in force
    assert len(groups_on("japan", dt.date(2022, 12, 23))) == 11
    assert len(groups_on("japan", dt.date(2024, 3, 1))) == 12
    assert len(groups_on("japan", dt.date(2025, 12, 23))) == 12
    later = {g.id for g in groups_on("japan", dt.date(2025, 12, 24))}
    assert (
        len(later) == 16 and {"ventilators", "drones", "satellite_parts", "rocket_parts"} <= later
    )


def test_scope_changes_apply_from_their_date() -> None:
    ship = next(g for g in groups_on("japan", dt.date(2026, 1, 1)) if g.id == "ship_parts")
    assert "730890" in ship.hs6_on(dt.date(2026, 1, 1))
    assert "730890" not in ship.hs6_on(dt.date(2025, 1, 1))
    assert [g.key for g in groups_containing("730890", dt.date(2025, 1, 1))] == []


def test_groups_containing_and_selectors() -> None:
    keys = {g.key for g in groups_containing("811292")}
    assert {
        "japan/critical_minerals",
        "eu_crma/strategic/gallium",
        "eu_crma/strategic/germanium",
        "us_critical_minerals/gallium",
        "us_critical_minerals/germanium",
        "us_critical_minerals/indium",
    } <= keys
    magnets = select_products("critical:japan/permanent_magnets", dt.date(2024, 1, 1))
    assert magnets == {"850511", "850519"}
    assert len(select_products("critical:japan", dt.date(2026, 1, 1))) > 80
    with pytest.raises(NotFoundError, match="no group 'magnets'"):
        select_products("critical:japan/magnets", dt.date(2024, 1, 1))


def test_every_code_exists_in_hs2022_and_every_entry_has_a_source() -> None:
    hs = load_nomenclature(DATA / "hs_nomenclature" / "harmonized-system.csv.gz")
    catalogue = load_catalogue()
    # the three lists as shipped: pinned, so that the loop below cannot pass on an empty
    # catalogue and a change to the catalogue changes this test on purpose
    assert {k: len(v) for k, v in catalogue.lists.items()} == {
        "japan": 16,
        "eu_crma": 17 + 34,
        "us_critical_minerals": 60,
    }
    for groups in catalogue.lists.values():
        for g in groups:
            assert g.source and g.start and g.hs_source
            assert g.hs_note, f"{g.key}: no evidence for its HS mapping"
            assert g.decided is None or g.decided <= g.start, g.key
            for m in g.mappings:
                assert m.hs6 in hs.descriptions, (g.key, m.hs6)
                assert m.source


def test_lists_as_published_on_each_date() -> None:
    """Counts on dates either side of each change, `from` being when a designation took legal
    effect: US 50 (24 Feb 2022) then 60 (final 2025 list, 7 Nov 2025, all 50 kept); EU 17
    strategic and 34 critical (in force 23 May 2024); Japan 11 (Cabinet Order No. 394, in
    force 23 Dec 2022, decided 20 Dec), 12 (February 2024), 16 (in force 24 Dec 2025)."""

    def count(list_id: str, day: str, prefix: str = "") -> int:
        groups = groups_on(list_id, dt.date.fromisoformat(day))
        return sum(g.id.startswith(prefix) for g in groups)

    assert count("us_critical_minerals", "2022-02-23") == 0
    assert count("us_critical_minerals", "2025-11-06") == 50
    assert count("us_critical_minerals", "2025-11-07") == 60
    us = {g.id for g in groups_on("us_critical_minerals", dt.date(2023, 1, 1))}
    assert {"chromium", "cesium", "rubidium", "tellurium", "arsenic"} <= us
    assert {"dysprosium", "neodymium", "yttrium", "scandium"} <= us  # each rare earth its own
    new = {g.id for g in groups_on("us_critical_minerals", dt.date(2026, 1, 1))} - us
    assert new == {"boron", "copper", "lead", "metallurgical_coal", "phosphate", "potash",
                   "rhenium", "silicon", "silver", "uranium"}  # fmt: skip
    assert count("eu_crma", "2024-05-22") == 0
    assert count("eu_crma", "2024-05-23", "strategic/") == 17
    assert count("eu_crma", "2024-05-23", "critical/") == 34
    eu = {g.id for g in groups_on("eu_crma", dt.date(2025, 1, 1))}
    assert {"critical/hree", "critical/lree", "critical/copper"} <= eu
    assert [count("japan", d) for d in ("2022-12-22", "2022-12-23", "2024-03-01",
                                        "2025-12-23", "2025-12-24")] == [0, 11, 12, 12, 16]  # fmt: skip
    decided = {g.decided for g in groups_on("japan", dt.date(2023, 1, 1))}
    assert decided == {dt.date(2022, 12, 20)}


def test_uranium_joined_the_critical_minerals_in_2024() -> None:
    minerals = next(
        g for g in groups_on("japan", dt.date(2025, 1, 1)) if g.id == "critical_minerals"
    )
    assert "261210" in minerals.hs6_on(dt.date(2024, 3, 1))
    assert "261210" not in minerals.hs6_on(dt.date(2023, 12, 31))


def test_doubtful_mappings_reviewed() -> None:
    """Whole spacecraft are not satellite parts, parts of semiconductor devices are not filters,
    streptomycins and tetracyclines are not β-lactams, and a shared code says so."""
    day = dt.date(2026, 1, 1)
    japan = {g.id: g for g in groups_on("japan", day)}
    assert "880260" not in japan["satellite_parts"].hs6_on(day)
    assert "880260" not in japan["rocket_parts"].hs6_on(day)
    assert "854190" not in japan["advanced_electronic_components"].hs6_on(day)
    assert not {"294120", "294130", "294140", "294150"} & japan["antimicrobials"].hs6_on(day)
    boron = next(g for g in groups_on("eu_crma", day) if g.id == "strategic/boron")
    assert "280450" in boron.hs6_on(day) and "tellurium" in boron.hs_note


def test_user_catalogue(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "mine:\n  groups:\n    - {id: chips, from: 2020-01-01, source: our board, hs6: [854231]}\n"
    )
    cat = load_catalogue(extra)
    assert select_products("critical:mine", dt.date(2021, 1, 1), cat) == {"854231"}
    extra.write_text("mine:\n  groups:\n    - {id: chips, hs6: [854231]}\n")
    with pytest.raises(ConfigError, match="needs 'source' and 'from'"):
        load_catalogue(extra)
