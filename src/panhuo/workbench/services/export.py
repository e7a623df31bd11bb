"""Excel export of client lists: masked personal columns and no live formulas (CSV/formula injection)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from panhuo.clients.masking import mask_phone
from panhuo.formatting import XLSX_AMOUNT, XLSX_PERCENT, xlsx_sheet

HEADERS = ["客户号 Client", "姓名 Name", "手机 Phone (masked)", "投资顾问 Advisor", "风险等级 Risk level",
           "资产层级 Tier", "生命周期 Lifecycle", "总资产 Total assets", "休眠 Dormant", "流失风险 Churn risk",
           "漏斗 Funnel"]


def clients_workbook(*, rows, labels: dict[str, dict[str, str]] | None = None) -> tuple[bytes, list[str]]:
    """An .xlsx of client list rows (dicts from selectors.clients_list); returns the bytes and the exported codes.
    labels: column → {code: words} for the coded columns (tier, lifecycle, funnel stage, track), so the sheet
    reads like the page (VIP客户, 休眠), never `vip` or `dormant`."""
    labels = labels or {}
    tier, life, stage_of, track_of = (labels.get(k, {}) for k in ("tier", "lifecycle", "stage", "track"))
    wb = Workbook(write_only=True)
    append = xlsx_sheet(wb, title="客户 clients", headers=HEADERS, widths=[14, 10, 16, 12, 10, 12, 12, 14, 8, 12, 14],
                        formats={7: XLSX_AMOUNT, 9: XLSX_PERCENT})
    codes = []
    for r in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
        codes.append(r["client_id"])
        assets = r.get("snap__total_assets")
        stage, track = r.get("funnel__stage") or "", r.get("funnel__track") or ""
        stage = stage_of.get(stage, stage) + (f" / {track_of.get(track, track)}" if track else "")
        append((r["client_id"], r["name"], mask_phone(r["phone"]), r.get("advisor__name") or "",
                r.get("risk_level") or "", tier.get(r.get("snap__tier"), r.get("snap__tier") or ""),
                life.get(r.get("snap__lifecycle"), r.get("snap__lifecycle") or ""),
                float(assets) if assets is not None else None, "是" if r.get("snap__is_dormant") else "",
                r.get("snap__churn_risk"), stage))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), codes
