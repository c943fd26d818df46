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
    "to_alpha3",
]

#: Codes that are not ISO 3166 but appear in trade statistics, mapped to what they stand for.
#: UN M49 490 "Other Asia, nes" is Taiwan in BACI and Comtrade; 158 is Taiwan's ISO numeric.
NON_ISO_NUMERIC: dict[int, str] = {
    490: "TWN",
    842: "USA",
    251: "FRA",
    579: "NOR",
    699: "IND",
    757: "CHE",
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


@cache
def _by_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table[_key(value)] = c.alpha_3
    table.update(NAME_ALIASES)
    return table


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
    c = pycountry.countries.get(alpha_3=alpha3)
    if c is None:  # pragma: no cover - to_alpha3 only returns known codes
        raise NotFoundError(f"unknown country {code!r}")
    return Country(alpha2=c.alpha_2, alpha3=c.alpha_3, numeric=int(c.numeric), name=c.name)


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
    """
    if isinstance(code, int) or (isinstance(code, str) and code.strip().isdigit()):
        number = int(code)
        if number in NON_ISO_NUMERIC:
            return NON_ISO_NUMERIC[number]
        c = pycountry.countries.get(numeric=f"{number:03d}")
        if c is None:
            raise NotFoundError(f"unknown numeric country code {code!r}")
        return str(c.alpha_3)
    text = code.strip()
    if len(text) == 3 and text.isalpha():
        c = pycountry.countries.get(alpha_3=text.upper())
        if c is not None:
            return str(c.alpha_3)
    if len(text) == 2 and text.isalpha():
        c = pycountry.countries.get(alpha_2=text.upper())
        if c is not None:
            return str(c.alpha_3)
    found = _by_name().get(_key(text))
    if found is None:
        raise NotFoundError(f"unknown country {code!r}")
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
