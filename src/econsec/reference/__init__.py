"""Reference data: countries and groups, the Harmonized System, the critical product catalogue."""

from econsec.reference.catalogue import (
    Catalogue,
    groups_containing,
    groups_on,
    load_catalogue,
    select_products,
)
from econsec.reference.countries import Country, country, group_members, load_groups, to_alpha3
from econsec.reference.hs import (
    HS_REVISIONS,
    Concordance,
    Nomenclature,
    hs_revision,
    load_concordance,
    load_nomenclature,
    normalise_hs6,
)

__all__ = [
    "HS_REVISIONS",
    "Catalogue",
    "Concordance",
    "Country",
    "Nomenclature",
    "country",
    "group_members",
    "groups_containing",
    "groups_on",
    "hs_revision",
    "load_catalogue",
    "load_concordance",
    "load_groups",
    "load_nomenclature",
    "normalise_hs6",
    "select_products",
    "to_alpha3",
]
