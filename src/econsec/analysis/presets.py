"""Dependency-screen presets that reproduce published methods.

Each preset is data: criteria on the metrics of :mod:`econsec.analysis.concentration`, each a
comparison of a value with a configurable threshold. Where a source leaves room for
interpretation, the interpretation is stated here and in ``docs/screening.md``.

``eu2021``
    European Commission, *Strategic dependencies and capacities*, SWD(2021) 352, and its
    methodology annex: a product is a dependency of the bloc when (1) extra-EU imports are
    concentrated, HHI of supplier-country shares > 0.4; (2) extra-EU imports are important in
    total demand: their share of total imports (extra- plus intra-EU) > 0.5; (3) they are hard
    to substitute with EU production: extra-EU imports exceed total EU exports (extra- plus
    intra-EU), ratio > 1. For a single country, intra-group trade is zero and criterion 2 reduces
    to "imports > 0".
``geodep``
    CEPII GeoDep (Lefebvre & Wibaux 2024; Vicard & Wibaux 2023, CEPII PB 2023-41): C1 import
    HHI > 0.4; C2 world-export HHI > 0.4; C3 imports / exports > 1, a product the importer does
    not export counts as dependent; C4 C1-C3 hold together in at least two of three consecutive
    years (the screened year and the two before). The flag is C4; with fewer than three years
    of data C4 is "insufficient data" and the product is not flagged.
``crma65``
    EU Critical Raw Materials Act, Regulation (EU) 2024/1252, Art. 5(1)(d) benchmark: no single
    third country should supply more than 65 % of the Union's consumption of a strategic raw
    material. Imports stand in for consumption: flagged when the top supplier's share > 0.65.
``meti``
    Single-country dependence as used in METI's supply-chain analyses: the largest supplier
    country's share of domestic use (production + imports - exports) when production data are
    given, otherwise of imports; flagged above 0.5 (configurable).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from econsec.errors import NotFoundError

__all__ = ["PRESETS", "Criterion", "Preset", "preset"]


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


@dataclass(frozen=True, slots=True)
class Preset:
    """A published screening method as criteria; ``persistence`` adds GeoDep's C4."""

    name: str
    title: str
    source: str
    criteria: tuple[Criterion, ...]
    persistence: Criterion | None = None
    version: str = "1"

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


PRESETS: dict[str, Preset] = {
    "eu2021": Preset(
        name="eu2021",
        title="European Commission SWD(2021) 352 strategic dependencies",
        source="European Commission (2021) Strategic dependencies and capacities, SWD(2021) 352",
        criteria=(
            Criterion("concentration", "hhi", 0.4, "HHI of extra-bloc supplier shares > 0.4"),
            Criterion(
                "extra_bloc_share",
                "imports_usd / (imports_usd + intra_usd)",
                0.5,
                "extra-bloc imports / total imports > 0.5",
            ),
            Criterion(
                "imports_over_exports",
                "imports_usd / nullif(exports_usd + intra_usd, 0)",
                1.0,
                "extra-bloc imports / total exports > 1",
                when_missing=True,
            ),
        ),
    ),
    "geodep": Preset(
        name="geodep",
        title="CEPII GeoDep (2024)",
        source="Lefebvre & Wibaux (2024) GeoDep, CEPII; Vicard & Wibaux (2023) CEPII PB 2023-41",
        criteria=(
            Criterion("C1_import_hhi", "hhi", 0.4, "import HHI > 0.4"),
            Criterion("C2_world_export_hhi", "world_export_hhi", 0.4, "world-export HHI > 0.4"),
            Criterion(
                "C3_imports_over_exports",
                "import_export_ratio",
                1.0,
                "imports / exports > 1 (no exports counts as dependent)",
                when_missing=True,
            ),
        ),
        persistence=Criterion(
            "C4_persistence",
            "persistence",
            2.0,
            "C1-C3 hold in at least 2 of 3 consecutive years",
            inclusive=True,
        ),
    ),
    "crma65": Preset(
        name="crma65",
        title="EU Critical Raw Materials Act 65 % single-country benchmark",
        source="Regulation (EU) 2024/1252 (Critical Raw Materials Act), Art. 5(1)(d)",
        criteria=(
            Criterion(
                "single_supplier_share",
                "top_share",
                0.65,
                "top supplier country's share of imports > 0.65",
            ),
        ),
    ),
    "meti": Preset(
        name="meti",
        title="METI single-country dependence",
        source="METI supply-chain analyses (share of the largest supplier country)",
        criteria=(
            Criterion(
                "single_source_share",
                "single_source_share",
                0.5,
                "largest supplier's share of domestic use (or of imports) > 0.5",
            ),
        ),
    ),
}


def preset(name: str, overrides: dict[str, float] | None = None) -> Preset:
    """A preset by name, optionally with thresholds changed."""
    try:
        found = PRESETS[name]
    except KeyError:
        raise NotFoundError(f"no preset {name!r} (presets: {', '.join(sorted(PRESETS))})") from None
    return found.with_thresholds(overrides or {})
