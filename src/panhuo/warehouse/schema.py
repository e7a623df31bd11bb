"""The canonical tables of the analytical store (DESIGN.md, docs/data-model.md).

Column names are the contract between the simulator, the importers and the analytics. Each column has a
Chinese name, which the `generic` import profile accepts as a header.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    zh: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # False for the big facts and aggregates: their key is kept unique by the import (duplicate keys refused,
    # a stored key corrected in place, never inserted twice), not by a DuckDB index. An ART index on 10M
    # trade ids made the load several times slower (docs/benchmarks.md), and DuckDB only appends to them.
    key_indexed: bool = True

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self) -> str:
        cols = [f"{c.name} {c.sql_type}{'' if c.nullable else ' NOT NULL'}" for c in self.columns]
        if self.primary_key and self.key_indexed:
            cols.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


C = Column

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("clients", "客户", (
            C("client_id", "VARCHAR", "客户号", False), C("branch_id", "VARCHAR", "营业部代码", False),
            C("name", "VARCHAR", "客户姓名"), C("id_number", "VARCHAR", "证件号码"), C("phone", "VARCHAR", "手机号码"),
            C("gender", "VARCHAR", "性别"), C("birth_date", "DATE", "出生日期"), C("region", "VARCHAR", "地区"),
            C("open_date", "DATE", "开户日期"), C("client_type", "VARCHAR", "客户类型"),
            C("risk_level", "VARCHAR", "风险等级"), C("risk_assessed_on", "DATE", "风险测评日期"),
            C("advisor_id", "VARCHAR", "投资顾问编号"), C("do_not_contact", "BOOLEAN", "拒绝联系"),
            C("status", "VARCHAR", "账户状态"),
        ), ("client_id",)),
        Table("advisors", "投资顾问", (
            C("advisor_id", "VARCHAR", "投资顾问编号", False), C("name", "VARCHAR", "姓名"),
            C("level", "VARCHAR", "级别"), C("region", "VARCHAR", "地区"), C("capacity", "INTEGER", "服务容量"),
            C("specialties", "VARCHAR", "专长"), C("hire_date", "DATE", "入职日期"), C("active", "BOOLEAN", "在职"),
        ), ("advisor_id",)),
        Table("trades", "成交", (
            C("trade_id", "VARCHAR", "成交编号", False), C("client_id", "VARCHAR", "客户号", False),
            C("trade_date", "DATE", "成交日期", False), C("symbol", "VARCHAR", "证券代码", False),
            C("side", "VARCHAR", "买卖方向", False), C("quantity", "BIGINT", "成交数量", False),
            C("price", "DOUBLE", "成交价格", False), C("amount", "DOUBLE", "成交金额", False),
            C("commission", "DOUBLE", "佣金"), C("stamp_duty", "DOUBLE", "印花税"),
            C("transfer_fee", "DOUBLE", "过户费"), C("channel", "VARCHAR", "委托渠道"),
        ), ("trade_id",), key_indexed=False),
        Table("daily_assets", "日终资产", (
            C("client_id", "VARCHAR", "客户号", False), C("date", "DATE", "日期", False),
            C("cash", "DOUBLE", "资金余额"), C("market_value", "DOUBLE", "证券市值"),
            C("total_assets", "DOUBLE", "总资产"), C("net_transfer", "DOUBLE", "当日净转入"),
        ), ("client_id", "date"), key_indexed=False),
        Table("transfers", "银证转账", (
            C("transfer_id", "VARCHAR", "流水号", False), C("client_id", "VARCHAR", "客户号", False),
            C("transfer_time", "TIMESTAMP", "转账时间", False), C("direction", "VARCHAR", "转账方向", False),
            C("amount", "DOUBLE", "发生金额", False), C("bank", "VARCHAR", "银行"),
        ), ("transfer_id",), key_indexed=False),
        Table("positions", "持仓", (
            C("as_of_date", "DATE", "日期", False), C("client_id", "VARCHAR", "客户号", False),
            C("symbol", "VARCHAR", "证券代码", False), C("quantity", "BIGINT", "持仓数量"),
            C("cost_price", "DOUBLE", "成本价"), C("close_price", "DOUBLE", "收盘价"),
            C("market_value", "DOUBLE", "市值"),
        ), ("as_of_date", "client_id", "symbol"), key_indexed=False),
        Table("instruments", "证券信息", (
            C("symbol", "VARCHAR", "证券代码", False), C("name", "VARCHAR", "证券名称"),
            C("exchange", "VARCHAR", "交易所"), C("board", "VARCHAR", "板块"), C("industry", "VARCHAR", "行业"),
            C("list_date", "DATE", "上市日期"), C("is_st", "BOOLEAN", "是否ST"),
        ), ("symbol",)),
        Table("bars", "日线行情", (
            C("symbol", "VARCHAR", "证券代码", False), C("trade_date", "DATE", "交易日期", False),
            C("open", "DOUBLE", "开盘价"), C("high", "DOUBLE", "最高价"), C("low", "DOUBLE", "最低价"),
            C("close", "DOUBLE", "收盘价"), C("pre_close", "DOUBLE", "前收盘价"), C("volume", "DOUBLE", "成交量"),
            C("amount", "DOUBLE", "成交额"), C("turnover_rate", "DOUBLE", "换手率"),
            C("adj_factor", "DOUBLE", "复权因子"),
        ), ("symbol", "trade_date")),
    )
}

# Small aggregates the import maintains incrementally so the daily run never rescans every trade
# (DESIGN.md, "Work where the data arrives"): a symbol was traded in the last N days exactly when its
# last trade date falls in the window, and trading days are rows of client_days.
AGGREGATES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("client_days", "客户交易日", (
            C("client_id", "VARCHAR", "客户号", False), C("trade_date", "DATE", "成交日期", False),
            C("trades", "INTEGER", "成交笔数"), C("amount", "DOUBLE", "成交金额"), C("commission", "DOUBLE", "佣金"),
            C("buy_amount", "DOUBLE", "买入金额"), C("sell_amount", "DOUBLE", "卖出金额"),
        ), ("client_id", "trade_date"), key_indexed=False),
        Table("client_symbols", "客户交易品种", (
            C("client_id", "VARCHAR", "客户号", False), C("symbol", "VARCHAR", "证券代码", False),
            C("first_trade_date", "DATE", "首次成交"), C("last_trade_date", "DATE", "最近成交"),
        ), ("client_id", "symbol"), key_indexed=False),
        # One row per client: the lifetime figures of its client_days rows, so the nightly features read a
        # million rows instead of every trading day a client ever had (features.py; kept in step with
        # client_days by the import, the rebuild and the restore: LIFE_SQL).
        Table("client_life", "客户交易概况", (
            C("client_id", "VARCHAR", "客户号", False), C("first_trade_date", "DATE", "首次成交"),
            C("last_trade_date", "DATE", "最近成交"), C("last_buy_date", "DATE", "最近买入"),
            C("trading_days", "BIGINT", "交易天数"),
        ), ("client_id",), key_indexed=False),
    )
}

# client_life's rows from the client_days rows of `{days}` (a table or a join), `{where}` restricting them.
LIFE_SQL = ("SELECT client_id, min(trade_date), max(trade_date), max(CASE WHEN buy_amount > 0 THEN trade_date END), "
            "count(*) FROM {days} {where} GROUP BY client_id")


# Tables panhuo owns in the operational store, copied here by the daily run so the analytics can use them
# (workbench.services.contacts_export). Not importable: no import profile can write them.
COPIES: dict[str, Table] = {
    t.name: t
    for t in (
        # contact_time is Beijing time; by_staff is false for a campaign's automatic send, so the contact
        # features measure what advisors do.
        Table("contacts", "服务记录", (
            C("contact_id", "BIGINT", "记录编号", False), C("client_id", "VARCHAR", "客户号", False),
            C("contact_time", "TIMESTAMP", "联系时间", False), C("channel", "VARCHAR", "联系方式"),
            C("outcome", "VARCHAR", "联系结果"), C("advisor_id", "VARCHAR", "投资顾问编号"),
            C("by_staff", "BOOLEAN", "员工登记"),
        ), ("contact_id",)),
    )
}


def add_missing_columns(con, database: str | None = None) -> list[str]:
    """Columns added to a table after a store was created are added to that store (nullable, so old rows read
    as NULL): the upgrade path of the analytical store. Returns the columns added, as table.column."""
    where = f" AND database_name = '{database}'" if database else ""
    have = {(t, c) for t, c in con.execute(
        f"SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'{where}").fetchall()}
    tables = {t for t, _ in have}
    prefix = f"{database}." if database else ""
    added = []
    for table in all_tables().values():
        if table.name not in tables:
            continue
        for c in table.columns:
            if c.nullable and (table.name, c.name) not in have:
                con.execute(f"ALTER TABLE {prefix}{table.name} ADD COLUMN {c.name} {c.sql_type}")
                added.append(f"{table.name}.{c.name}")
    return added


def all_tables() -> dict[str, Table]:
    return {**TABLES, **AGGREGATES, **COPIES}


def ensure_tables(con, database: str | None = None) -> None:
    """Create the tables a store lacks (in the current database, `database` when attached under that name) and
    add missing columns; a store from before client_life gets it filled once from its client_days, as the
    import keeps it from then on. The caller holds the transaction."""
    where = f" AND database_name = '{database}'" if database else ""
    had = {t for (t,) in con.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'{where}").fetchall()}
    for table in all_tables().values():
        con.execute(table.ddl())
    add_missing_columns(con, database)
    if "client_days" in had and "client_life" not in had:
        con.execute(f"INSERT INTO client_life {LIFE_SQL.format(days='client_days', where='')}")
