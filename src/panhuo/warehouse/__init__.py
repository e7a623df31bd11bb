"""The analytical store: one object owns the connection and the canonical schema.

DuckDB file under PANHUO_HOME by default; the analytics issue adds Spark behind the same module.
Nothing here imports Django.
"""

from panhuo.warehouse.connection import Warehouse, open_warehouse
from panhuo.warehouse.schema import AGGREGATES, TABLES, all_tables

__all__ = ["Warehouse", "open_warehouse", "TABLES", "AGGREGATES", "all_tables"]
