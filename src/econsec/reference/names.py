"""Names beside codes, in the reader's language: HS products, countries, input-output sectors.

Every table, JSON result, report and page shows a code with its name. The names come from
data packaged with econsec (see ``reference/data/PROVENANCE.md``):

* HS codes: the HS 2022 nomenclature (chapters, headings, subheadings; English, from the WCO
  through UN Comtrade). A code of an older revision that HS 2022 dropped is named through the
  UN Comtrade correlation tables, by the HS 2022 code(s) it became. The WCO publishes the
  descriptions in English and French only, so a Japanese reader sees the English description
  with the chapter named in Japanese.
* Countries: ISO 3166 through pycountry, in Japanese through pycountry's Japanese locale, with
  the short forms Japan's Ministry of Foreign Affairs uses for a few (韓国, 台湾, ロシア).
* Sectors: the WIOD 2013 industries (c1–c35) in English and Japanese.

A code without a name gives an empty name (never an invented one); :func:`is_hs6` and
:func:`check_hs6` tell a real HS code from a typo.
"""

from __future__ import annotations

import csv
import gettext
import gzip
import io
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import pycountry
import yaml

from econsec.errors import InputError, NotFoundError
from econsec.i18n import N_
from econsec.reference.hs import HS_REVISIONS, Concordance, load_concordance, normalise_hs6

__all__ = [
    "LANGUAGES",
    "chapter_name",
    "check_hs6",
    "country_name",
    "critical_group",
    "hs2022_subheadings",
    "is_hs6",
    "label",
    "product_name",
    "section_name",
    "sector_name",
    "with_names",
]

#: The languages names exist in.
LANGUAGES = ("en", "ja")


def _data(name: str) -> Any:
    return resources.files("econsec.reference").joinpath("data", name)


@cache
def _names() -> dict[str, Any]:
    loaded = yaml.safe_load(_data("names.yaml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@cache
def _hs() -> tuple[dict[str, str], dict[str, str]]:
    """Descriptions by code (2, 4 and 6 digits) and the section of each chapter."""
    raw = gzip.decompress(_data("hs2022.csv.gz").read_bytes()).decode("utf-8")
    descriptions: dict[str, str] = {}
    sections: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        code = row["hscode"].strip()
        if code.isdigit() and len(code) in (2, 4, 6):
            descriptions[code] = row["description"].strip()
            if len(code) == 2:
                sections[code] = row["section"].strip()
    return descriptions, sections


@cache
def _section_names() -> dict[str, str]:
    text = _data("hs2022_sections.csv").read_text("utf-8-sig")
    return {row["section"]: row["name"] for row in csv.DictReader(io.StringIO(text))}


@cache
def _concordance() -> Concordance:
    with resources.as_file(_data("hs_concordance.csv.gz")) as path:
        return load_concordance(path)


@cache
def _older_codes() -> dict[str, frozenset[str]]:
    """HS 2022 codes of every six-digit code of an older revision that HS 2022 dropped."""
    known = _hs()[0]
    found: dict[str, set[str]] = {}
    concordance = _concordance()
    for revision in reversed(HS_REVISIONS[:-1]):
        pair = (revision, HS_REVISIONS[HS_REVISIONS.index(revision) + 1])
        for code in concordance.inverse.get(pair, {}):
            if code in known or code in found:
                continue
            try:
                targets = concordance.convert(code, revision, "HS2022")
            except NotFoundError:  # a chain broken in the tables: no name
                continue
            found[code] = {t for t in targets if t in known}
    return {code: frozenset(t) for code, t in found.items() if t}


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


def hs2022_subheadings() -> tuple[str, ...]:
    """Every six-digit code of HS 2022, sorted.

    >>> codes = hs2022_subheadings()
    >>> len(codes), codes[0]
    (5613, '010121')
    """
    return tuple(sorted(c for c in _hs()[0] if len(c) == 6))


def is_hs6(code: str) -> bool:
    """True for a six-digit code of HS 2022 or of an older revision (1992–2017).

    >>> is_hs6("850511"), is_hs6("811298"), is_hs6("851712")  # 851712: HS 2017 mobile phones
    (True, False, True)
    """
    return (len(code) == 6 and code in _hs()[0]) or code in _older_codes()


def check_hs6(code: str | int, *, field: str = "product") -> str:
    """A six-digit HS code that exists (HS 1992–2022), else :class:`InputError` with the
    nearest codes of its heading as a "did you mean".

    Parameters
    ----------
    code : str or int
        The code as the user gave it (a lost leading zero is restored).
    field : str
        The option or field named in the error.

    Returns
    -------
    str
        The code, six digits.

    Raises
    ------
    InputError
        For a code that is not six digits or is in no HS revision.

    Examples
    --------
    >>> check_hs6(10121)  # a leading zero lost by a spreadsheet
    '010121'
    >>> try:
    ...     check_hs6("811298")
    ... except InputError as err:
    ...     for part in err.problem.split("; "):
    ...         print(part)
    product: HS code '811298' is in no HS revision (1992-2022)
    did you mean 811299 (Gallium, germanium, indium, niobium (col...)?
    """
    hs6 = normalise_hs6(code)
    if is_hs6(hs6):
        return hs6
    descriptions = _hs()[0]
    near = sorted(c for c in descriptions if len(c) == 6 and c[:4] == hs6[:4])
    hint = ""
    if near:
        best = min(near, key=lambda c: abs(int(c) - int(hs6)))
        text = descriptions[best]
        hint = f"; did you mean {best} ({text[:40]}{'...' if len(text) > 40 else ''})?"
    raise InputError(
        "{field}: HS code {hs6!r} is in no HS revision (1992-2022){hint}",
        values={"field": field, "hs6": hs6, "hint": hint},
        expected=N_("a six-digit HS code such as 850511"),
    )


def product_name(code: str, lang: str = "en") -> str:
    """The name of an HS code (2, 4 or 6 digits): its HS 2022 description; for a code HS 2022
    dropped, the description of what it became; "" when the code is in no HS revision.

    Parameters
    ----------
    code : str
        An HS code.
    lang : str
        ``en`` or ``ja`` (Japanese: the Japanese name of the group of Japan's critical products
        that holds the code, before the English description, as the WCO publishes no Japanese
        descriptions).

    Returns
    -------
    str

    Examples
    --------
    >>> product_name("850511")[:40]
    'Magnets; permanent magnets and articles '
    >>> product_name("81", "ja")
    'その他の卑金属及びサーメット並びにこれらの製品'
    >>> product_name("810411", "ja")
    'マグネシウム金属：Magnesium; unwrought, containing at least 99.8% by weight of magnesium'
    >>> product_name("811298")
    ''
    """
    text = str(code).strip()
    descriptions = _hs()[0]
    if len(text) == 2:
        return chapter_name(text, lang)
    name = descriptions.get(text, "")
    if not name and len(text) == 6 and text in _older_codes():
        targets = sorted(_older_codes()[text])
        name = "; ".join(descriptions[t] for t in targets[:2]) + (
            " ..." if len(targets) > 2 else ""
        )
    if name and _lang(lang) == "ja" and len(text) == 6 and (group := _japan_group(text)):
        return f"{group}：{name}"
    return name


def critical_group(code: str, lang: str = "en") -> str:
    """The name of the critical-product group holding an HS6 code, for Japanese readers (the
    prefix :func:`product_name` gives in Japanese); "" in English or for no group.

    Examples
    --------
    >>> critical_group("850511", "ja"), critical_group("850511", "en"), critical_group("030389", "ja")
    ('永久磁石', '', '')
    """
    text = str(code).strip()
    return _japan_group(text) if _lang(lang) == "ja" and len(text) == 6 else ""


@cache
def _japan_group(hs6: str) -> str:
    """The Japanese name of the critical-product group holding ``hs6``: Japan's own group,
    else (for Japan's broad "critical minerals") the material of the EU's and then the US
    lists; two names and 等 when a list has several; "" when no list holds it."""
    from econsec.reference.catalogue import groups_containing

    groups = groups_containing(hs6)
    for prefix in ("japan/", "eu_crma/critical/", "us_critical_minerals/"):
        names = list(dict.fromkeys(
            g.name_ja for g in groups
            if g.key.startswith(prefix) and g.key != "japan/critical_minerals"
        ))  # fmt: skip
        if names:
            return "・".join(names[:2]) + ("等" if len(names) > 2 else "")
    return "重要鉱物" if any(g.key == "japan/critical_minerals" for g in groups) else ""


def chapter_name(code: str, lang: str = "en") -> str:
    """The name of the HS chapter of ``code`` (its first two digits).

    Examples
    --------
    >>> chapter_name("280530")[:40]
    'Inorganic chemicals; organic and inorgan'
    >>> chapter_name("280530", "ja")
    '無機化学品及び貴金属・希土類金属・放射性元素の化合物'
    """
    chapter = str(code).strip()[:2]
    if _lang(lang) == "ja":
        return str(_names()["hs_chapters_ja"].get(chapter, ""))
    return _hs()[0].get(chapter, "")


def section_name(code: str, lang: str = "en") -> str:
    """The HS section of a code (by its chapter), as "XV Base metals ...".

    Examples
    --------
    >>> section_name("811292"), section_name("811292", "ja")
    ('XV Base metals and articles of base metal', 'XV 卑金属及びその製品')
    """
    section = _hs()[1].get(str(code).strip()[:2], "")
    if not section:
        return ""
    if _lang(lang) == "ja":
        return f"{section} {_names()['hs_sections_ja'].get(section, '')}"
    return f"{section} {_section_names().get(section, '')}"


@cache
def _country_ja() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)


@cache
def country_name(code: str, lang: str = "en") -> str:
    """A country's short name in the reader's language; "" for a code that is no country
    (an aggregate such as World).

    Examples
    --------
    >>> country_name("KOR"), country_name("KOR", "ja"), country_name("TWN", "ja")
    ('South Korea', '韓国', '台湾')
    >>> country_name("DEU", "ja"), country_name("ANT")  # a dissolved state: ISO 3166-3
    ('ドイツ', 'Netherlands Antilles')
    """
    alpha3 = str(code).strip().upper()
    own = _names()["countries"].get(alpha3, {})
    language = _lang(lang)
    if language in own:
        return str(own[language])
    c = pycountry.countries.get(alpha_3=alpha3) or pycountry.historic_countries.get(alpha_3=alpha3)
    if c is None:
        return ""
    english = str(getattr(c, "common_name", None) or c.name)
    if language == "ja":
        translated = _country_ja().gettext(english)
        return translated if translated != english else _country_ja().gettext(str(c.name))
    return str(own.get("en", english))


def sector_name(code: str, lang: str = "en") -> str:
    """The name of an input-output sector (WIOD 2013 industries c1–c35); "" when unknown.

    Examples
    --------
    >>> sector_name("c12"), sector_name("c12", "ja")
    ('Basic metals and fabricated metal', '一次金属・金属製品')
    """
    entry = _names()["wiod2013_sectors"].get(str(code).strip(), {})
    return str(entry.get(_lang(lang), ""))


def with_names(row: dict[str, Any], kinds: dict[str, str], lang: str = "en") -> dict[str, Any]:
    """``row`` with a ``<field>_name`` beside each coded field (the others unchanged).

    Parameters
    ----------
    row : dict
        A result row.
    kinds : dict of str to str
        Field → ``product``, ``country`` or ``sector``.
    lang : str
        ``en`` or ``ja``.

    Returns
    -------
    dict

    Examples
    --------
    >>> with_names({"importer": "JPN", "product": "850511", "v": 1}, {"importer": "country"}, "ja")
    {'importer': 'JPN', 'product': '850511', 'v': 1, 'importer_name': '日本'}
    """
    out = dict(row)
    for field, kind in kinds.items():
        if isinstance(row.get(field), str):
            out[f"{field}_name"] = _KINDS[kind](row[field], lang)
    return out


_KINDS: dict[str, Callable[[str, str], str]] = {
    "product": product_name,
    "country": country_name,
    "sector": sector_name,
}


def label(kind: str, code: str, lang: str = "en", width: int | None = None) -> str:
    """``code name`` for a table cell, the name cut to ``width`` characters with an ellipsis.

    Parameters
    ----------
    kind : str
        ``product``, ``country`` or ``sector``.
    code : str
        The code.
    lang : str
        ``en`` or ``ja``.
    width : int, optional
        The most characters of the name.

    Returns
    -------
    str
        The code alone when it has no name.

    Examples
    --------
    >>> label("country", "CHN", "ja"), label("product", "811292", width=20)
    ('CHN 中国', '811292 Gallium, germanium,…')
    """
    name = _KINDS[kind](code, lang)
    if width is not None and len(name) > width:
        name = name[:width].rstrip() + "…"
    return f"{code} {name}" if name else str(code)
