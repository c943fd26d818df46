"""Trade data: the canonical flows table and loaders for BACI, UN Comtrade and mapped tables."""

from econsec.trade.baci import read_baci
from econsec.trade.comtrade import read_comtrade
from econsec.trade.flows import FLOW_KEY, FLOW_SCHEMA, MIRROR_RULE, Reading, best_flows_sql
from econsec.trade.mapped import TableMapping, load_mapping, parse_mapping, read_table

__all__ = [
    "FLOW_KEY",
    "FLOW_SCHEMA",
    "MIRROR_RULE",
    "Reading",
    "TableMapping",
    "best_flows_sql",
    "load_mapping",
    "parse_mapping",
    "read_baci",
    "read_comtrade",
    "read_table",
]
