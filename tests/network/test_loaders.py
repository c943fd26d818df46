"""Network loaders: firms.csv/links.csv with located errors, Willems' chains, the demo world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from econsec.errors import InputError
from econsec.network import (
    esri,
    network_from_tables,
    read_network,
    read_willems,
    with_sector_essentiality,
)
from econsec.synthetic import generate_world
from shared_data import DATA

FIRMS = "firm_id,name,country,sector,output\nA,Alpha,JPN,C26,100\nB,Beta,CHN,C20,50\nC,Gamma,KOR,C26,80\n"
LINKS = "supplier_id,buyer_id,product,value,essential\nB,A,811292,10,true\nC,A,854231,20,no\n"


def _files(tmp_path: Path, firms: str = FIRMS, links: str = LINKS) -> tuple[Path, Path]:
    f, g = tmp_path / "firms.csv", tmp_path / "links.csv"
    f.write_text(firms)
    g.write_text(links)
    return f, g


def test_reads_firms_and_links(tmp_path: Path) -> None:
    n = read_network(*_files(tmp_path))
    assert n.firm_ids == ("A", "B", "C") and n.countries == ("JPN", "CHN", "KOR")
    assert n.essential.tolist() == [True, False] and n.W()[1, 0] == 10.0


@pytest.mark.parametrize(
    ("firms", "links", "expected"),
    [
        (
            FIRMS,
            LINKS + "Z,A,1,1,true\n",
            ["links.csv, line 4, column 'supplier_id'", "unknown firm 'Z'"],
        ),
        (FIRMS, LINKS + "A,A,1,1,true\n", ["line 4", "supplies itself", "no self-loops"]),
        (FIRMS, LINKS + "C,B,1,-5,true\n", ["line 4", "column 'value'", "negative value"]),
        (FIRMS, LINKS + "B,A,811292,3,true\n", ["line 4", "duplicate of line 2"]),
        (FIRMS, LINKS.replace("essential", "critical"), ["missing column(s) essential"]),
        (
            FIRMS + "A,Again,JPN,C26,1\n",
            LINKS,
            ["firms.csv, line 5", "appears twice (also line 2)"],
        ),
        (FIRMS.replace("KOR", "XYZ"), LINKS, ["line 4", "unknown country 'XYZ'"]),
        (
            FIRMS,
            LINKS + "C,B,1,5,maybe\n",
            ["line 4", "column 'essential'", "true, false or irrelevant"],
        ),
    ],
)
def test_bad_networks(tmp_path: Path, firms: str, links: str, expected: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        read_network(*_files(tmp_path, firms, links))
    for part in expected:
        assert part in str(caught.value)


def test_willems_chains() -> None:
    folder = DATA / "willems_supply_chains"
    small = read_willems(folder, 1)
    assert (small.n_firms, small.n_links) == (8, 10)
    big = read_willems(folder, 38)
    assert (big.n_firms, big.n_links) == (2025, 16225)
    scores = esri(small)
    assert np.all((scores >= 0) & (scores <= 1)) and scores.max() > 0.5  # a bill of materials


def test_demo_world_network() -> None:
    world = generate_world(n_filler_products=5)
    n = network_from_tables(world.firms, world.links, "demo")
    assert n.n_firms == world.firms.num_rows and n.n_links == world.links.num_rows
    assert set(n.countries) >= {"JPN", "CHN"}


def test_essentiality_from_a_sector_matrix(tmp_path: Path) -> None:
    n = read_network(*_files(tmp_path))  # B (C20) -> A (C26) essential, C (C26) -> A not
    matrix = {("C20", "C26"): "non-essential", ("C26", "C26"): "irrelevant"}
    m = with_sector_essentiality(n, matrix)
    # C -> A is irrelevant: it stays (in B's inputs and the demand side) but constrains nothing
    assert m.n_links == 2 and m.essential.tolist() == [False, False]
    assert m.relevant.tolist() == [True, False]
    with pytest.raises(InputError, match="unknown essentiality"):
        with_sector_essentiality(n, {("C20", "C26"): "vital"})
