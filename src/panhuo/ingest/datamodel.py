"""docs/data-model.md is generated from warehouse/schema.py so the two cannot drift apart.

Regenerate with `python -m panhuo.ingest.datamodel > docs/data-model.md`; a test fails when they differ.
"""

from __future__ import annotations

from panhuo.ingest.ownership import FIELD_OWNER
from panhuo.ingest.profile import DOMAINS
from panhuo.ingest.store import MONEY
from panhuo.ingest.validate import MONEY_MAX, PRICE_MAX, PRICES
from panhuo.warehouse.schema import AGGREGATES, COPIES, TABLES, Table

INTRO = """# Data model: the canonical tables

Generated from `src/panhuo/warehouse/schema.py` by `python -m panhuo.ingest.datamodel`; do not edit by hand.

These tables are the contract between the simulator, the importers and the analytics (DESIGN.md). The
`generic` import profile finds each table by its file name (`trades.csv`, `clients.xlsx`, or the Chinese
table name, `成交.csv`) and accepts as headers either the canonical column names or the Chinese names below.
Dates are `YYYYMMDD`, `YYYY-MM-DD` or `YYYY/MM/DD`; amounts may carry thousands separators; symbols may be
written `600000.SH`, `sh600000` or `600000` (exchange from the code prefix). Coded columns take the values
listed (the generic profile also maps the usual Chinese spellings, e.g. 买入/卖出 → B/S). Money and prices
must stay below the limits listed (money in absolute value: below it every cent is exact in the store); a
larger value is refused at its row.
"""


def _table(t: Table) -> list[str]:
    lines = [f"## `{t.name}` — {t.zh}", ""]
    if t.primary_key:
        how = "" if t.key_indexed else " (kept unique by the import's validation, not by an index)"
        lines += [f"Key: {', '.join(f'`{k}`' for k in t.primary_key)}{how}", ""]
    lines += ["| column | 中文表头 | type | required | values |", "|---|---|---|---|---|"]
    for c in t.columns:
        values = ", ".join(f"`{v}`" for v in DOMAINS.get(c.name, ()))
        if c.name in MONEY.get(t.name, ()):
            values = f"below {MONEY_MAX}"
        elif c.name in PRICES.get(t.name, ()):
            values = f"below {PRICE_MAX}"
        lines.append(f"| `{c.name}` | {c.zh} | {c.sql_type} | {'' if c.nullable else 'yes'} | {values} |")
    return [*lines, ""]


def data_model_markdown() -> str:
    lines = [INTRO]
    for t in TABLES.values():
        lines += _table(t)
    lines += ["# Aggregates maintained by the import", "",
              "Updated in the same transaction as the trades they summarise, from the changed dates only, so the "
              "daily analytics never rescan all trades.", ""]
    for t in AGGREGATES.values():
        lines += _table(t)
    lines += _ownership()
    lines += _copies()
    return "\n".join(lines)


def _ownership() -> list[str]:
    lines = ["# Who owns a client field", "",
             "The back office owns identity and account facts; panhuo owns what staff decide in it. An import never "
             "undoes a decision made in panhuo: it keeps it, says so on the batch (保留了在系统内做出的 …), and "
             "audits every change of assignment or do-not-contact with its source. An import touches only the "
             "clients its files contain. Enforced in `clients/ownership.py` from `ingest/ownership.py`.", "",
             "| field | owner | what an import does |", "|---|---|---|"]
    lines += [f"| `{f}` | {owner} | {what} |" for f, (owner, what) in FIELD_OWNER.items()]
    return [*lines, ""]


def _copies() -> list[str]:
    lines = ["# Copied from the operational store", "",
             "What panhuo owns and the analytics need, copied into the analytical store by the daily run before the "
             "analytics (`panhuo run-daily`; `workbench/services/contacts_export.py`): only the rows added since the "
             "last copy, or everything again when rows went away. No import profile can write these tables. In "
             "`contacts`, `contact_id` is the operational store's id, `contact_time` Beijing time, `channel` and "
             "`outcome` the workbench's codes (`phone`, `sms`, `email`, `visit`, `event`, `wechat`; `reached`, "
             "`not_reached`, `interested`, `declined`, `do_not_contact`), and `by_staff` is false for a "
             "campaign's automatic send.", ""]
    for t in COPIES.values():   # not _table: the import's value lists (e.g. a trade's channel) do not apply
        lines += [f"## `{t.name}` — {t.zh}", "", f"Key: {', '.join(f'`{k}`' for k in t.primary_key)}", "",
                  "| column | 中文名 | type | required |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.zh} | {c.sql_type} | {'' if c.nullable else 'yes'} |" for c in t.columns]
        lines.append("")
    return lines


if __name__ == "__main__":
    print(data_model_markdown(), end="")
