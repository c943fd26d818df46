"""Countries: ISO 3166 codes and names (from pycountry) and the project's country groups.

Trade statistics use three code systems: ISO alpha-3 (BACI's and Comtrade's ISO columns),
ISO numeric / UN M49 (Comtrade's ``reporterCode``) and plain names (national customs tables).
:func:`to_alpha3` turns any of them into alpha-3, the one form the rest of econsec uses.

Groups (G7, EU27, OECD, Quad, ASEAN, BRICS, ``like_minded``, ``concern``) come from
``groups.yaml`` in this package; a user file of the same shape overrides or adds groups.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import yaml

from econsec.errors import ConfigError, NotFoundError

__all__ = [
    "Country",
    "Group",
    "code_or_name",
    "country",
    "group_members",
    "load_groups",
    "suggest_country",
    "to_alpha3",
]

#: Codes that are not ISO 3166 but appear in trade statistics, mapped to what they stand for.
#: UN M49 490 "Other Asia, nes" is Taiwan in BACI and Comtrade; 158 is Taiwan's ISO numeric.
#: Comtrade's legacy reporter and partner codes name a country with its dependencies (842 USA
#: with Puerto Rico and the US Virgin Islands, 251 France with Monaco, 381 Italy with San Marino
#: and the Holy See, 579 Norway with Svalbard, 699 India with Sikkim, 757 Switzerland with
#: Liechtenstein) or a country before a split (736 Sudan before South Sudan's independence in
#: 2011; 230 Ethiopia with Eritrea; 280 the Federal Republic of Germany): each reads as the
#: country it mostly is. Codes of dissolved states read as their ISO 3166-3 codes (530 and 532
#: the Netherlands Antilles, ANT; 200 Czechoslovakia, CSK; 810 the USSR, SUN; 890 Yugoslavia,
#: YUG; 891 Serbia and Montenegro, SCG; 278 the German Democratic Republic, DDR).
NON_ISO_NUMERIC: dict[int, str] = {
    490: "TWN",
    842: "USA",
    251: "FRA",
    381: "ITA",
    58: "BEL",  # Belgium-Luxembourg until 1998, as BACI reads it
    579: "NOR",
    699: "IND",
    757: "CHE",
    736: "SDN",
    230: "ETH",
    280: "DEU",
    530: "ANT",
    532: "ANT",
    200: "CSK",
    810: "SUN",
    890: "YUG",
    891: "SCG",
    278: "DDR",
}

#: Three-letter codes that are not ISO 3166-1 alpha-3 but appear in trade data: BACI's "S19"
#: (Other Asia, nes: Taiwan) and old codes of countries renamed (ROM Romania, ZAR Zaire, TMP
#: East Timor). The ISO 3166-3 codes of dissolved states (ANT, CSK, SUN, …) are kept as they are.
NON_ISO_ALPHA3: dict[str, str] = {
    "S19": "TWN",
    "ROM": "ROU",
    "ZAR": "COD",
    "TMP": "TLS",
}

#: Abbreviations in UN Comtrade's country names ("Rep. of Korea", "Br. Virgin Isds").
_ABBREVIATIONS = {
    "rep": "republic",
    "dem": "democratic",
    "isds": "islands",
    "is": "islands",
    "br": "british",
    "fed": "federated",
    "n": "northern",
    "st": "saint",
    "s": "south",
    "sth": "south",
    "fmr": "",
    "terr": "territory",
    "fr": "french",
    "misc": "miscellaneous",
}

#: Names used by customs offices (e.g. Korea Customs Service; Japan Customs' abbreviated area
#: names such as "Hg Kong" or "U Arb E") that pycountry does not know.
NAME_ALIASES: dict[str, str] = {
    "argent": "ARG",
    "austral": "AUS",
    "colmbia": "COL",
    "hgkong": "HKG",
    "indnsia": "IDN",
    "malysia": "MYS",
    "nethlds": "NLD",
    "newzeld": "NZL",
    "pakistn": "PAK",
    "papnga": "PNG",
    "philpin": "PHL",
    "portugl": "PRT",
    "prtrico": "PRI",
    "rkorea": "KOR",
    "safrca": "ZAF",
    "sngapor": "SGP",
    "suarab": "SAU",
    "switzld": "CHE",
    "thailnd": "THA",
    "uarbe": "ARE",
    "uking": "GBR",
    "venezla": "VEN",
    "usa": "USA",
    "us": "USA",
    "unitedstates": "USA",
    "uk": "GBR",
    "unitedkingdom": "GBR",
    "hongkong": "HKG",
    "southafrica": "ZAF",
    "rumania": "ROU",
    "czech": "CZE",
    "swiss": "CHE",
    "netherland": "NLD",
    "taiwan": "TWN",
    "chinesetaipei": "TWN",
    "russia": "RUS",
    "vietnam": "VNM",
    "korea": "KOR",
    "southkorea": "KOR",
    "republicofkorea": "KOR",
    "northkorea": "PRK",
    "iran": "IRN",
    "turkey": "TUR",
    "turkiye": "TUR",
    "laos": "LAO",
    "syria": "SYR",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "moldova": "MDA",
    "macao": "MAC",
    "macau": "MAC",
    "brunei": "BRN",
    "ivorycoast": "CIV",
    "cotedivoire": "CIV",
    "otherasianes": "TWN",
    "nethantilles": "ANT",
    "fsmicronesia": "FSM",
    "faeroeislands": "FRO",
    "saintmaarten": "SXM",
    "democraticrepublicgermany": "DDR",
    "federatedrepublicgermany": "DEU",
    "frenchsouthantarcticterritory": "ATF",
    "belgiumluxembourg": "BEL",
}


@dataclass(frozen=True, slots=True)
class Country:
    """One country or territory with its ISO 3166-1 codes."""

    alpha2: str
    alpha3: str
    numeric: int
    name: str


@dataclass(frozen=True, slots=True)
class Group:
    """A named set of countries, with the source of its membership."""

    code: str
    name: str
    source: str
    as_of: dt.date
    members: frozenset[str]
    joined: tuple[tuple[str, dt.date], ...] = ()

    def members_on(self, date: dt.date) -> frozenset[str]:
        """Members on ``date``, leaving out those who joined later."""
        late = {code for code, joined in self.joined if joined > date}
        return self.members - late


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _variants(text: str, heads: bool = True) -> list[str]:
    """Keys under which a country name may be found, most specific first: as written; with
    Comtrade's abbreviations spelled out; without a parenthesis; with "X, Y of" turned round
    ("Republic of Korea" for "Korea, Republic of"); without "and", "the", "of" or "islands";
    "China, Hong Kong SAR" as "Hong Kong"; last, the part before a comma alone."""

    def spell(form: str) -> str:
        words = re.findall(r"[a-z\u00c0-\u024f]+", form)
        return " ".join(w for w in (_ABBREVIATIONS.get(w, w) for w in words) if w)

    base = text.lower().replace("&", " and ")
    forms = [base, spell(base), spell(re.sub(r"\(.*?\)", " ", base))]
    heads_ = []
    for form in (base, re.sub(r"\(.*?\)", " ", base)):
        head, _, tail = form.partition(",")
        if tail:
            forms += [spell(f"{tail} {head}"), spell(tail.replace(" sar", ""))]
            heads_ += [spell(head)] if heads else []
    keys = []
    for form in forms:
        keys.append(_key(form.replace("ü", "u").replace("ô", "o").replace("é", "e")))
        keys.append(_key(re.sub(r"\b(and|the|of|islands?)\b", " ", form)))
    return [k for k in dict.fromkeys(keys + [_key(h) for h in heads_]) if k]


@cache
def _by_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for heads in (False, True):  # "Congo" is the Republic; "Congo, The Democratic Republic of
        for c in pycountry.countries:  # the" only under its full names
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    for key in _variants(value, heads):
                        table.setdefault(key, c.alpha_3)
    for old in pycountry.historic_countries:  # dissolved states, after every current name
        for key in _variants(old.name):
            table.setdefault(key, old.alpha_3)
    table.update(NAME_ALIASES)
    return table


def suggest_country(text: str) -> str | None:
    """The country name closest to ``text`` (rapidfuzz's weighted ratio, score ≥ 80), as
    "Name (ISO3)", for a "did you mean" in error messages; None when nothing is close.

    >>> suggest_country("Jpan")
    'Japan (JPN)'
    >>> suggest_country("Atlantis") is None
    True
    """
    from rapidfuzz import fuzz, process, utils

    names = {str(c.name): str(c.alpha_3) for c in pycountry.countries}
    found = process.extractOne(
        text, list(names), scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
    )
    return None if found is None else f"{found[0]} ({names[found[0]]})"


def _unknown(kind: str, code: object) -> NotFoundError:
    hint = suggest_country(str(code)) if not str(code).strip().isdigit() else None
    return NotFoundError(f"unknown {kind} {code!r}" + (f"; did you mean {hint}?" if hint else ""))


def country(code: str | int) -> Country:
    """Look up a country by alpha-2, alpha-3, numeric code or name.

    Examples
    --------
    >>> country("JP").alpha3
    'JPN'
    >>> country(392).name
    'Japan'
    >>> country(490).alpha3  # "Other Asia, nes" in trade statistics
    'TWN'
    """
    alpha3 = to_alpha3(code)
    c = pycountry.countries.get(alpha_3=alpha3) or pycountry.historic_countries.get(alpha_3=alpha3)
    if c is None:  # pragma: no cover - to_alpha3 only returns known codes
        raise NotFoundError(f"unknown country {code!r}")
    numeric = int(getattr(c, "numeric", 0) or 0)
    return Country(alpha2=c.alpha_2, alpha3=c.alpha_3, numeric=numeric, name=c.name)


def code_or_name(text: str) -> str:
    """A country's ISO alpha-3 code, or the text itself (trimmed) when it names no country
    (e.g. an aggregate such as "Other Asia, nes" written out).

    >>> code_or_name("R Korea"), code_or_name("Japan"), code_or_name("EU")
    ('KOR', 'JPN', 'EU')
    """
    try:
        return to_alpha3(text)
    except NotFoundError:
        return text.strip()


def to_alpha3(code: str | int) -> str:
    """Turn an ISO alpha-2/alpha-3/numeric code or a country name into ISO alpha-3.

    Raises :class:`NotFoundError` naming the code when nothing matches.

    >>> to_alpha3("kor"), to_alpha3("410"), to_alpha3("HongKong")
    ('KOR', 'KOR', 'HKG')
    >>> to_alpha3(381), to_alpha3("Bosnia Herzegovina"), to_alpha3("Rep. of Korea")
    ('ITA', 'BIH', 'KOR')
    """
    if isinstance(code, int) or (isinstance(code, str) and code.strip().isdigit()):
        number = int(code)
        if number in NON_ISO_NUMERIC:
            return NON_ISO_NUMERIC[number]
        c = pycountry.countries.get(numeric=f"{number:03d}") or next(
            (
                h
                for h in pycountry.historic_countries
                if getattr(h, "numeric", "") == f"{number:03d}"
            ),
            None,
        )
        if c is None:
            raise _unknown("numeric country code", code)
        return str(c.alpha_3)
    text = code.strip()
    if text.upper() in NON_ISO_ALPHA3:
        return NON_ISO_ALPHA3[text.upper()]
    if len(text) == 3 and text.isalpha():
        c = pycountry.countries.get(alpha_3=text.upper()) or pycountry.historic_countries.get(
            alpha_3=text.upper()
        )
        if c is not None:
            return str(c.alpha_3)
    if len(text) == 2 and text.isalpha():
        c = pycountry.countries.get(alpha_2=text.upper())
        if c is not None:
            return str(c.alpha_3)
    table = _by_name()
    found = next((table[k] for k in _variants(text) if k in table), None)
    if found is None:
        raise _unknown("country", code)
    return found


def _parse_groups(raw: Any, origin: str) -> dict[str, Group]:
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{origin}: expected a mapping of group code to group, got {type(raw).__name__}"
        )
    groups: dict[str, Group] = {}
    for code, body in raw.items():
        if not isinstance(body, dict) or not isinstance(body.get("members"), list):
            raise ConfigError(
                f"{origin}: group {code!r} needs a 'members' list of ISO alpha-3 codes"
            )
        members = []
        for member in body["members"]:
            try:
                members.append(to_alpha3(str(member)))
            except NotFoundError as exc:
                raise ConfigError(f"{origin}: group {code!r}: {exc}") from None
        as_of = body.get("as_of", dt.date.today())
        joined = tuple(
            sorted(
                (to_alpha3(str(k)), _date(v, origin, code))
                for k, v in (body.get("joined") or {}).items()
            )
        )
        groups[str(code)] = Group(
            code=str(code),
            name=str(body.get("name", code)),
            source=str(body.get("source", f"user file {origin}")),
            as_of=_date(as_of, origin, code),
            members=frozenset(members),
            joined=joined,
        )
    return groups


def _date(value: Any, origin: str, code: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{origin}: group {code!r}: {value!r} is not a date (expected YYYY-MM-DD)"
        ) from None


@cache
def _builtin_groups() -> dict[str, Group]:
    text = resources.files("econsec.reference").joinpath("groups.yaml").read_text("utf-8")
    return _parse_groups(yaml.safe_load(text), "econsec/reference/groups.yaml")


def load_groups(override: Path | None = None) -> dict[str, Group]:
    """The built-in groups, with those in the YAML file ``override`` replacing or adding groups.

    >>> sorted(load_groups())[:3]
    ['ASEAN', 'BRICS', 'EU27']
    """
    groups = dict(_builtin_groups())
    if override is not None:
        try:
            raw = yaml.safe_load(override.read_text("utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{override}: cannot read country groups: {exc}") from None
        groups.update(_parse_groups(raw, str(override)))
    return groups


def group_members(name: str, groups: dict[str, Group] | None = None) -> frozenset[str]:
    """Members of a group by code, or a single country given by code.

    >>> sorted(group_members("Quad"))
    ['AUS', 'IND', 'JPN', 'USA']
    >>> group_members("JPN")
    frozenset({'JPN'})
    """
    groups = groups if groups is not None else _builtin_groups()
    if name in groups:
        return groups[name].members
    try:
        return frozenset({to_alpha3(name)})
    except NotFoundError:
        raise NotFoundError(
            f"{name!r} is neither a country group ({', '.join(sorted(groups))}) nor a country code"
        ) from None
