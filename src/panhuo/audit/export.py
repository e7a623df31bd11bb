"""The audit trail as an Excel workbook for compliance: Chinese headers, frozen header row, one event a row.

Text is written as text (never as a formula, whatever it starts with) and verbatim: an export is evidence.
"""

from __future__ import annotations

import io
import json

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from panhuo.audit.labels import action_label, detail_summary, object_label, outcome_label, role_label

HEADERS = ["序号 Seq", "时间 Time", "用户 User", "角色 Role", "操作 Action", "对象类型 Object type", "对象 Objects",
           "结果 Outcome", "摘要 Summary", "详细记录 Detail (JSON)", "IP", "哈希 Hash"]
MAX_ROWS = 1_000_000      # Excel's sheet holds 1,048,576 rows


def audit_workbook(*, events) -> tuple[bytes, int]:
    """An .xlsx of `events` (AuditEvent rows, in the order given); returns the bytes and the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计记录")
    ws.freeze_panes = "A2"

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell

    ws.append([text(h) for h in HEADERS])
    n = 0
    for e in events.iterator(chunk_size=2000) if hasattr(events, "iterator") else events:
        if n >= MAX_ROWS:
            break
        summary = "；".join(f"{k}：{v}" for k, v in detail_summary(e.detail))
        ws.append([e.seq, timezone.localtime(e.at).replace(tzinfo=None), text(e.username), text(role_label(e.role)),
                   text(action_label(e.action)), text(object_label(e.object_type)),
                   text(", ".join(map(str, e.object_ids or []))), text(outcome_label(e.outcome)), text(summary),
                   text(json.dumps(e.detail, ensure_ascii=False, sort_keys=True)), text(e.ip or ""), text(e.hash)])
        n += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), n
