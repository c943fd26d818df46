"""Clearance compartments of products: which cleared analysts may see confidential records.

A compartment is the need-to-know domain of a confidential record or finding. Products map to
one by the longest matching HS prefix below; the table is an econsec judgement following Japan's
specified critical products (semiconductors, critical minerals, medicines, energy, food) and is
data, so a deployment can change it. Anything else falls in ``general``.
"""

from __future__ import annotations

__all__ = ["COMPARTMENTS", "compartment_of"]

COMPARTMENTS = (
    "semiconductors",
    "critical_minerals",
    "pharmaceuticals",
    "energy",
    "food",
    "general",
    "infrastructure",  # operators' equipment plans, across sectors (cross-operator findings)
)

_PREFIXES = {
    # semiconductors: devices, integrated circuits, manufacturing equipment, doped wafers,
    # high-purity silicon, hydrogen fluoride and photoresists
    "8541": "semiconductors",
    "8542": "semiconductors",
    "8486": "semiconductors",
    "3818": "semiconductors",
    "280461": "semiconductors",
    "281111": "semiconductors",
    "370790": "semiconductors",
    # critical minerals: ores, rare earths, lithium, cobalt, gallium, germanium, graphite, PGMs
    "26": "critical_minerals",
    "2504": "critical_minerals",
    "2805": "critical_minerals",
    "2846": "critical_minerals",
    "282520": "critical_minerals",
    "283691": "critical_minerals",
    "8105": "critical_minerals",
    "8112": "critical_minerals",
    "7110": "critical_minerals",
    "850511": "critical_minerals",
    # medicines and their ingredients
    "30": "pharmaceuticals",
    "2941": "pharmaceuticals",
    "2936": "pharmaceuticals",
    # fuels, uranium and storage batteries
    "27": "energy",
    "2844": "energy",
    "8506": "energy",
    "8507": "energy",
}


def compartment_of(product: str | None) -> str:
    """The compartment of an HS6 product: confidential records and findings on it need a
    clearance with this compartment.

    Parameters
    ----------
    product : str or None
        An HS6 code.

    Returns
    -------
    str
        ``general`` when none applies or the product is unknown.

    Examples
    --------
    >>> compartment_of("811292"), compartment_of("854231"), compartment_of("030389")
    ('critical_minerals', 'semiconductors', 'food')
    """
    if not product:
        return "general"
    for length in (6, 4, 2):
        found = _PREFIXES.get(product[:length])
        if found:
            return found
    if product[:2].isdigit() and 1 <= int(product[:2]) <= 24:
        return "food"
    return "general"
