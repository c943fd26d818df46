"""HS codes, descriptions and revision concordances on the real nomenclature files."""

from __future__ import annotations

import pytest

from econsec.errors import InputError, NotFoundError
from econsec.reference.hs import hs_revision, load_concordance, load_nomenclature, normalise_hs6
from shared_data import DATA

NOMENCLATURE = DATA / "hs_nomenclature" / "harmonized-system.csv.gz"
CONCORDANCE = DATA / "hs_concordance" / "HS_consolidated_comtrade_concordances.csv.gz"


def test_normalise() -> None:
    assert normalise_hs6(10121) == "010121"
    with pytest.raises(InputError, match="not six digits"):
        normalise_hs6("8505")
    assert hs_revision("HS92") == "HS1992"
    with pytest.raises(NotFoundError):
        hs_revision("HS2099")


def test_descriptions() -> None:
    hs = load_nomenclature(NOMENCLATURE)
    assert hs.describe("850511").startswith("Magnets; permanent magnets")
    assert len(hs.hs6_codes()) == 5613
    with pytest.raises(NotFoundError):
        hs.describe("990199")


def test_revision_chain() -> None:
    c = load_concordance(CONCORDANCE)
    # HS2022 split hafnium (811231) and rhenium (811241) out of HS2017's 811292.
    assert c.convert("811292", "HS2017", "HS2022") == {"811292", "811231", "811241"}
    assert c.convert("811231", "HS2022", "HS2017") == {"811292"}
    assert c.convert("850511", "HS2022", "HS1992") == {"850511"}
    # A round trip through every revision keeps a stable code.
    assert "850511" in c.convert(
        next(iter(c.convert("850511", "HS2022", "HS1992"))), "HS1992", "HS2022"
    )
    with pytest.raises(NotFoundError, match="no correspondence"):
        c.convert("990199", "HS2022", "HS2017")
