"""Colours of countries in charts: each country its own colour in a chart, the same country the
same colour in every chart, and everything beyond the top few grouped as grey "others".

Kenneth Kelly's 22 colours of maximum contrast (without white and black) are the palette. The
countries that appear most in trade charts hold fixed colours, so that China is the same red in
every report; any other country takes the first colour no country of its chart holds
(:class:`Palette` remembers the choices across one report's charts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OTHERS", "PALETTE", "TOP_COUNTRIES", "Palette"]

#: Kelly's colours of maximum contrast, in his order (F2F3F4 white and 222222 black left out).
PALETTE = (
    "#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
    "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
    "#8DB600", "#654522", "#E25822", "#2B3D26",
)  # fmt: skip
#: The colour of the "others" group.
OTHERS = "#D0D0D0"
#: How many countries a chart shows before grouping the rest as "others".
TOP_COUNTRIES = 9
_FIXED = {
    "CHN": "#BE0032", "USA": "#0067A5", "JPN": "#F3C300", "KOR": "#008856", "DEU": "#875692",
    "TWN": "#F38400", "AUS": "#A1CAF1", "RUS": "#882D17", "IND": "#F6A600", "BRA": "#8DB600",
}  # fmt: skip


@dataclass
class Palette:
    """The colours given so far in one report; :meth:`colour` gives a country its colour.

    Examples
    --------
    >>> p = Palette()
    >>> p.colour("CHN"), p.colour("MNG") != p.colour("CHN"), p.colour("others")
    ('#BE0032', True, '#D0D0D0')
    >>> p.colour("MNG") == Palette().colour("MNG")  # a free colour, the same in this report
    True
    """

    given: dict[str, str] = field(default_factory=dict)

    def colour(self, country: str, taken: set[str] | None = None) -> str:
        """The colour of ``country``: fixed, given before in this report, or the first free
        one (not among ``taken``, the colours of the chart's other countries)."""
        if country == "others":
            return OTHERS
        if country not in self.given:
            busy = set(self.given.values()) | (taken or set())
            fixed = _FIXED.get(country)
            free = [c for c in PALETTE if c not in busy and c not in _FIXED.values()]
            spare = [c for c in PALETTE if c not in busy]
            self.given[country] = fixed or (free or spare or list(PALETTE))[0]
        return self.given[country]

    def colours(self, countries: list[str]) -> dict[str, str]:
        """Colours for one chart's countries, distinct within the chart.

        Examples
        --------
        >>> cs = Palette().colours(["CHN", "KOR", "SAU", "MNG", "others"])
        >>> len(set(cs.values())) == 5
        True
        """
        out: dict[str, str] = {}
        fixed_first = sorted(countries, key=lambda c: c not in _FIXED)  # they keep theirs
        for country in fixed_first:
            colour = self.colour(country, set(out.values()))
            if colour in out.values() and country != "others":  # taken in this chart
                colour = next((c for c in PALETTE if c not in out.values()), colour)
            out[country] = colour
        return {c: out[c] for c in countries}
