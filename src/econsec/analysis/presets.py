"""Dependency-screen presets that reproduce published methods.

Each preset is data — an entry of the packaged registry ``presets.yaml`` (id, version, title,
source, criteria, persistence): criteria on the metrics of
:mod:`econsec.analysis.concentration`, each a comparison of a value with a configurable
threshold. Adding a preset is adding an entry there. Where a source leaves room for
interpretation, the interpretation is stated here and in ``docs/screening.md``.

``eu2021``
    European Commission, *Strategic dependencies and capacities*, SWD(2021) 352, and its
    methodology annex: a product is a dependency of the bloc when (1) extra-EU imports are
    concentrated, HHI of supplier-country shares > 0.4; (2) extra-EU imports are important in
    total demand: their share of total imports (extra- plus intra-EU) > 0.5; (3) they are hard
    to substitute with EU production: extra-EU imports exceed total EU exports (extra- plus
    intra-EU), ratio > 1. For a single country, intra-group trade is zero and criterion 2 reduces
    to "imports > 0". The Commission then kept the products of its "sensitive ecosystems" (137 of
    390); its HS6 → ecosystem mapping is not public, so that filter is not reproduced here.
``geodep``
    CEPII GeoDep (Lefebvre & Wibaux 2024, CEPII Policy Brief 47; Vicard & Wibaux 2023, CEPII
    Policy Brief 41): C1 import HHI > 0.4; C2 world-export HHI > 0.4; C3 imports / exports > 1,
    a product the importer does not export counts as dependent; C4 C1-C3 hold together in at
    least two of three consecutive years (the screened year and the two before). The flag is C4;
    with fewer than three years of data C4 is "insufficient data" and the product is not
    flagged.
``crma65``
    EU Critical Raw Materials Act, Regulation (EU) 2024/1252, Art. 5(1)(d) benchmark: no single
    third country should supply more than 65 % of the Union's consumption of a strategic raw
    material at any relevant stage of processing. Here imports of an HS line stand in for
    consumption: flagged when the top supplier's share of imports > 0.65 (a proxy, not the
    Act's measure; see docs/screening.md).
``meti``
    METI, White Paper on International Economy and Trade 2024 (通商白書2024), Part I Ch. 2
    Sec. 1: for each HS6 item, the HHI of import-source shares, counted at or above 50 on its
    0-100 scale (0.5 here), and the items where one country supplies more than half. Flagged
    when both hold (an HHI of at least 0.5 implies a largest share of at least 0.5).
``meti2022``
    METI, White Paper 2022: the EU method of SWD(2021) 352 with domestic production instead of
    exports as the substitutability denominator: HHI > 0.4 and imports / domestic production > 1
    (production from the ``production`` relation; without it, "insufficient data").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib.resources import files

import yaml

from econsec.errors import ConfigError, NotFoundError

__all__ = ["PRESETS", "Criterion", "Preset", "parse_presets", "preset"]


@dataclass(frozen=True, slots=True)
class Criterion:
    """``value > threshold`` (or ``>=``), where ``value`` is an SQL expression over metrics.

    ``when_missing`` is the verdict when the value is NULL (e.g. no exports in GeoDep's C3).
    """

    name: str
    value: str
    threshold: float
    description: str
    inclusive: bool = False
    when_missing: bool | None = False
    description_ja: str = ""

    def describe(self, lang: str = "en") -> str:
        """The criterion in words, in ``lang`` (English when there is no translation)."""
        return self.description_ja if lang == "ja" and self.description_ja else self.description


@dataclass(frozen=True, slots=True)
class Preset:
    """A published screening method as criteria; ``persistence`` adds GeoDep's C4."""

    name: str
    title: str
    source: str
    criteria: tuple[Criterion, ...]
    persistence: Criterion | None = None
    version: str = "1"
    title_ja: str = ""

    def title_in(self, lang: str = "en") -> str:
        """The method's title in ``lang`` (English when there is no translation)."""
        return self.title_ja if lang == "ja" and self.title_ja else self.title

    def with_thresholds(self, overrides: dict[str, float]) -> Preset:
        """The preset with some thresholds changed (by criterion name)."""
        known = {c.name for c in self.criteria} | (
            {self.persistence.name} if self.persistence else set()
        )
        unknown = set(overrides) - known
        if unknown:
            raise NotFoundError(
                f"preset {self.name} has no criterion {', '.join(sorted(unknown))} "
                f"(criteria: {', '.join(sorted(known))})"
            )
        criteria = tuple(
            replace(c, threshold=overrides[c.name]) if c.name in overrides else c
            for c in self.criteria
        )
        persistence = self.persistence
        if persistence is not None and persistence.name in overrides:
            persistence = replace(persistence, threshold=overrides[persistence.name])
        changed = "" if not overrides else "+custom"
        return replace(
            self, criteria=criteria, persistence=persistence, version=self.version + changed
        )

    @property
    def method_version(self) -> str:
        return f"{self.name}/v{self.version}"


_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^[0-9A-Za-z.]{1,20}$")
_CRITERION = {"name", "value", "threshold", "description", "description_ja", "inclusive",
              "when_missing"}  # fmt: skip
_PRESET = {"id", "version", "title", "title_ja", "source", "criteria", "persistence"}


def _criterion(raw: object, where: str) -> Criterion:
    if not isinstance(raw, dict) or set(raw) - _CRITERION or not {"name", "value"} <= set(raw):
        raise ConfigError(f"{where}: expected name, value, threshold and description "
                          f"(optionally inclusive, when_missing)")  # fmt: skip
    if not _ID.match(str(raw["name"]).lower()) or not isinstance(
        raw.get("threshold"), (int, float)
    ):
        raise ConfigError(f"{where}: a criterion needs a name like C1_import_hhi and a number")
    if raw.get("when_missing", False) not in (True, False, None):
        raise ConfigError(f"{where}: when_missing must be true, false or null")
    return Criterion(str(raw["name"]), str(raw["value"]), float(raw["threshold"]),
                     str(raw.get("description", "")), bool(raw.get("inclusive", False)),
                     raw.get("when_missing", False),
                     str(raw.get("description_ja", "")))  # fmt: skip


def parse_presets(raw: object, where: str = "presets") -> dict[str, Preset]:
    """Presets from a registry document (a YAML list; see ``presets.yaml``), checked.

    Parameters
    ----------
    raw : object
        The parsed document.
    where : str
        Its name, for messages.

    Returns
    -------
    dict of str to Preset
        By id.

    Raises
    ------
    ConfigError
        Naming the entry at fault.

    Examples
    --------
    >>> found = parse_presets([{"id": "half", "version": "1", "title": "Half",
    ...     "source": "example", "criteria": [{"name": "top", "value": "top_share",
    ...     "threshold": 0.5, "description": "top share > 0.5"}]}])
    >>> found["half"].method_version, found["half"].criteria[0].threshold
    ('half/v1', 0.5)
    """
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: expected a list of presets")
    out: dict[str, Preset] = {}
    for n, item in enumerate(raw):
        here = f"{where}[{n}]"
        if (
            not isinstance(item, dict)
            or set(item) - _PRESET
            or not _PRESET - {"persistence", "title_ja"} <= set(item)
        ):
            raise ConfigError(f"{here}: expected {', '.join(sorted(_PRESET))} (title_ja and "
                              "persistence optional)")  # fmt: skip
        ident, version = str(item["id"]), str(item["version"])
        if not _ID.match(ident) or not _VERSION.match(version) or ident in out:
            raise ConfigError(f"{here}: a new id like geodep and a version like 1")
        criteria = item["criteria"]
        if not isinstance(criteria, list) or not criteria:
            raise ConfigError(f"{here}.criteria: expected at least one criterion")
        persistence = item.get("persistence")
        out[ident] = Preset(
            name=ident,
            title=str(item["title"]),
            source=str(item["source"]),
            criteria=tuple(_criterion(c, f"{here}.criteria[{i}]") for i, c in enumerate(criteria)),
            persistence=None
            if persistence is None
            else _criterion(persistence, f"{here}.persistence"),
            version=version,
            title_ja=str(item.get("title_ja", "")),
        )
    return out


#: The registry of presets, from the packaged ``presets.yaml``.
PRESETS: dict[str, Preset] = parse_presets(
    yaml.safe_load(files("econsec.analysis").joinpath("presets.yaml").read_text("utf-8")),
    "presets.yaml",
)


def preset(name: str, overrides: dict[str, float] | None = None) -> Preset:
    """A preset of the registry by name, optionally with thresholds changed.

    Parameters
    ----------
    name : str
        Its id (see :data:`PRESETS`).
    overrides : dict of str to float, optional
        New thresholds by criterion name; the method version then ends in ``+custom``.

    Returns
    -------
    Preset

    Raises
    ------
    NotFoundError
        For an unknown preset or criterion, naming the known ones.

    Examples
    --------
    >>> preset("geodep").criteria[0].threshold
    0.4
    >>> preset("geodep", {"C1_import_hhi": 0.3}).method_version
    'geodep/v1+custom'

    References
    ----------
    Lefebvre & Wibaux (2024), GeoDep, CEPII; European Commission (2021), SWD(2021) 352;
    Regulation (EU) 2024/1252, Art. 5(1)(d).
    """
    try:
        found = PRESETS[name]
    except KeyError:
        raise NotFoundError(f"no preset {name!r} (presets: {', '.join(sorted(PRESETS))})") from None
    return found.with_thresholds(overrides or {})
