"""Words for the import pages' codes: profiles, tables, file statuses, control totals and changes, so that a
Chinese page reads 客户资料 · 已导入 · 新增 20,000 rather than `clients loaded new=20000`."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.formatting import cn_count
from panhuo.imports.models import BatchStatus
from panhuo.warehouse.schema import all_tables

PROFILES = {"simulator": gettext_lazy("Branch simulator export"), "generic": gettext_lazy("Generic export")}
FILE_STATUS = {"loaded": gettext_lazy("Loaded"), "already_loaded": gettext_lazy("Already loaded"),
               "unchanged": gettext_lazy("Already loaded"), "rejected": gettext_lazy("Rejected"),
               "pending": gettext_lazy("Not read"), "validated": gettext_lazy("Checked, not loaded")}


def _get(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _zh(lang: str) -> bool:
    return lang.startswith("zh")


def profile_label(name: str | None) -> str:
    return str(PROFILES.get(name or "", name or "—"))


# Tables the import writes that are not warehouse tables (the operational store's client master).
OTHER_TABLES = {"client_master": gettext_lazy("Client master")}


def table_label(table: str | None, lang: str) -> str:
    t = all_tables().get(table or "")
    if t is None:
        return str(OTHER_TABLES.get(table or "", table or "—"))
    return t.zh if _zh(lang) else t.name.replace("_", " ")


def column_label(table: str, column: str, lang: str) -> str:
    if column == "rows":
        return _("Rows")
    t = all_tables().get(table)
    col = next((c for c in t.columns if c.name == column), None) if t else None
    if col is None:
        return column
    return col.zh if _zh(lang) else column.replace("_", " ")


def status_label(status: str | None) -> str:
    return str(FILE_STATUS.get(status or "", dict(BatchStatus.choices).get(status, status or "—")))


def batch_labels(batch, *, lang: str) -> dict:
    """The batch's codes as words: profile, each file's table and status, control totals and changes."""
    files = [{"f": f, "table_label": table_label(_get(f, "table"), lang), "status_label": status_label(_get(f, "status"))}
             for f in (_get(batch, "files") or [])]
    control = []
    for table, totals in (_get(batch, "control_totals") or {}).items():
        for name, v in totals.items():
            # Reconciliation is to the cent: amounts in full, with separators, not rounded to 万/亿.
            money = name != "rows"
            fmt = (lambda x: f"{Decimal(str(x)):,.2f}") if money else (lambda x: cn_count(float(x)))
            control.append({"table": table_label(table, lang), "name": column_label(table, name, lang),
                            "source": fmt(v.get("source", 0)), "loaded": fmt(v.get("loaded", 0))})
    changes = []
    for c in _get(batch, "changes") or []:
        if isinstance(c, dict) and "table" in c:
            changes.append(_("%(table)s: %(new)s new, %(changed)s changed") % {
                "table": table_label(c["table"], lang), "new": cn_count(c.get("new", 0)),
                "changed": cn_count(c.get("changed", 0))})
        else:
            changes.append(str(c))
    return {"profile": profile_label(_get(batch, "profile")), "files": files, "control": control, "changes": changes,
            "message": message_in(batch, lang=lang)}


def message_in(batch, *, lang: str) -> str:
    """The batch's message in the reader's language. The ingest writes one bilingual line ("中文 / English") for
    the command line; a loaded batch gets a sentence of its own (its details are in the tables below)."""
    if _get(batch, "status") == "loaded" and not _get(batch, "pending_master"):
        return _("Loaded %(rows)s rows from %(files)s files.") % {
            "rows": cn_count(_get(batch, "rows_loaded") or 0), "files": cn_count(len(_get(batch, "files") or []))}
    message = _get(batch, "message") or ""
    if " / " not in message:
        return message
    zh, en = message.split(" / ", 1)
    return zh if _zh(lang) else en
