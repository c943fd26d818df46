"""Chart colours: a colour per country in a chart, the same across a report's charts."""

from __future__ import annotations


def test_chart_colours_are_distinct_in_a_chart_and_stable_across_charts() -> None:
    from econsec.report.colours import OTHERS, Palette

    palette = Palette()
    first = palette.colours(["PER", "CHN", "KOR", "ZAF", "CHL", "MNG", "SAU", "others"])
    second = palette.colours(["KOR", "MNG", "IDN", "CHN", "others"])
    assert len(set(first.values())) == len(first) and len(set(second.values())) == len(second)
    assert all(first[c] == second[c] for c in ("CHN", "KOR", "MNG"))
    assert first["others"] == OTHERS and Palette().colours(["CHN"])["CHN"] == first["CHN"]
