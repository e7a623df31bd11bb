"""Excel export of client lists: masked personal columns and no live formulas (CSV/formula injection)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from panhuo.clients.masking import mask_phone
from panhuo.formatting import safe_cell

HEADERS = ["客户号 Client", "姓名 Name", "手机 Phone (masked)", "投资顾问 Advisor", "风险等级 Risk level",
           "资产层级 Tier", "生命周期 Lifecycle", "总资产 Total assets", "休眠 Dormant", "流失风险 Churn risk",
           "漏斗 Funnel"]


def clients_workbook(*, rows) -> tuple[bytes, list[str]]:
    """An .xlsx of client list rows (dicts from selectors.clients_list); returns the bytes and the exported codes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("clients")
    ws.append(HEADERS)
    codes = []
    for r in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
        codes.append(r["client_id"])
        assets = r.get("snap__total_assets")
        stage = f'{r.get("funnel__stage") or ""}{"/" + r["funnel__track"] if r.get("funnel__track") else ""}'
        ws.append([safe_cell(v) for v in (
            r["client_id"], r["name"], mask_phone(r["phone"]), r.get("advisor__name") or "", r.get("risk_level") or "",
            r.get("snap__tier") or "", r.get("snap__lifecycle") or "", float(assets) if assets is not None else None,
            "Y" if r.get("snap__is_dormant") else "", r.get("snap__churn_risk"), stage)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), codes
