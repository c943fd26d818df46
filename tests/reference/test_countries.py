"""Countries and groups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from econsec.errors import ConfigError, NotFoundError
from econsec.reference.countries import country, group_members, load_groups, to_alpha3
from shared_data import DATA


def test_codes_and_names() -> None:
    assert to_alpha3("JP") == to_alpha3("jpn") == to_alpha3(392) == to_alpha3("Japan") == "JPN"
    assert to_alpha3("NA") == "NAM"  # Namibia's alpha-2 is not a missing value
    assert to_alpha3(490) == "TWN" and to_alpha3(842) == "USA" and to_alpha3(699) == "IND"
    assert country("KOR").numeric == 410
    with pytest.raises(NotFoundError, match="unknown country 'Atlantis'"):
        to_alpha3("Atlantis")


def test_every_country_in_the_reference_file_resolves() -> None:
    import pandas as pd

    codes = pd.read_csv(DATA / "country_codes" / "country-codes.csv.gz", keep_default_na=False)
    iso = codes[codes["ISO3166-1-Alpha-3"] != ""]
    for alpha3 in iso["ISO3166-1-Alpha-3"]:
        assert to_alpha3(alpha3) == alpha3
    for alpha3, numeric in zip(iso["ISO3166-1-Alpha-3"], iso["ISO3166-1-numeric"], strict=True):
        if numeric:
            assert to_alpha3(int(numeric)) == alpha3


def test_groups_have_sources_and_sizes() -> None:
    groups = load_groups()
    assert len(groups["EU27"].members) == 27 and "GBR" not in groups["EU27"].members
    assert len(groups["OECD"].members) == 38
    assert groups["G7"].members == {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"}
    assert all(g.source for g in groups.values())
    assert "IDN" not in groups["BRICS"].members_on(dt.date(2024, 6, 1))
    assert "IDN" in groups["BRICS"].members_on(dt.date(2025, 6, 1))


def test_user_file_overrides_groups(tmp_path: Path) -> None:
    override = tmp_path / "groups.yaml"
    override.write_text(
        "concern:\n  members: [CHN, RUS]\n  source: my team\nfriends:\n  members: [jp, 840]\n"
    )
    groups = load_groups(override)
    assert groups["concern"].members == {"CHN", "RUS"} and groups["concern"].source == "my team"
    assert group_members("friends", groups) == {"JPN", "USA"}
    assert group_members("KOR", groups) == {"KOR"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("concern:\n  members: [Narnia]\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: group 'concern': unknown country 'Narnia'"):
        load_groups(bad)
