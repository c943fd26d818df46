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
    assert len(groups_on("japan", dt.date(2022, 12, 19))) == 0
    assert len(groups_on("japan", dt.date(2022, 12, 20))) == 11
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
        "us_critical_minerals/gallium_germanium_indium",
    } <= keys
    magnets = select_products("critical:japan/permanent_magnets", dt.date(2024, 1, 1))
    assert magnets == {"850511", "850519"}
    assert len(select_products("critical:japan", dt.date(2026, 1, 1))) > 80
    with pytest.raises(NotFoundError, match="no group 'magnets'"):
        select_products("critical:japan/magnets", dt.date(2024, 1, 1))


def test_every_code_exists_in_hs2022_and_every_entry_has_a_source() -> None:
    hs = load_nomenclature(DATA / "hs_nomenclature" / "harmonized-system.csv.gz")
    catalogue = load_catalogue()
    # the three lists as shipped (Japan's 16 specified critical products since 24 Dec 2025):
    # pinned, so that the loop below cannot pass on an empty catalogue and a change to the
    # catalogue changes this test on purpose
    assert {k: len(v) for k, v in catalogue.lists.items()} == {
        "japan": 16,
        "eu_crma": 33,
        "us_critical_minerals": 25,
    }
    assert sum(len(g.mappings) for groups in catalogue.lists.values() for g in groups) == 202
    for groups in catalogue.lists.values():
        for g in groups:
            assert g.source and g.start
            for m in g.mappings:
                assert m.hs6 in hs.descriptions, (g.key, m.hs6)
                assert m.source


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
