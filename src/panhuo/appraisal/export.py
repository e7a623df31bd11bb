"""The scorecard as Excel (openpyxl) and PDF (ReportLab), with Chinese labels whatever the page's language:
the file is filed with the branch's records. The PDF uses ReportLab's built-in CID font STSong-Light, so no font
file ships with panhuo."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import translation

from panhuo.appraisal.display import deduction_cells, points_text, weight_total
from panhuo.appraisal.models import Scorecard
from panhuo.appraisal.scorecard import LABELS, UNITS
from panhuo.formatting import cn_amount, safe_cell
from panhuo.pdf import cjk_font

XLSX_AMOUNT, XLSX_COUNT, XLSX_RATIO, XLSX_PERCENT = "#,##0.00", "#,##0.00", "0.00", "0.0%"
HEADERS = ["考核项目", "实际", "目标", "达成率", "上限", "权重", "得分", "说明"]
STATUS_ZH = {"draft": "草稿", "signed": "已签核"}


def _note(item: dict) -> str:
    d = item["detail"]
    if not item["recorded"]:
        return "尚未记录（投诉登记待后续功能提供）"
    notes = {
        "reactivation": lambda: "；".join(f"{c['source']}：{c['incremental']:.2f}人（提升下限{c['lift_low']:.1%}，"
                                         f"实验组{c['treated']}人）" for c in d.get("campaigns", [])) or "本月无结算活动",
        "campaign_trading": lambda: "不计C1–C2客户，封顶；" + ("；".join(
            f"{c['source']}：{c['incremental']:.2f}人" for c in d.get("campaigns", [])) or "本月无结算活动"),
        "commission": lambda: f"不计C1–C2客户，封顶；{d.get('clients', 0)}名客户，截至{d.get('as_of') or '—'}",
        "net_inflow": lambda: f"{d.get('clients', 0)}名客户，截至{d.get('as_of') or '—'}近30日净转入",
        "churn": lambda: f"预期流失{d.get('expected', 0):.2f}人，实际{d.get('churned', 0)}人"
                         f"（{d.get('from') or '—'}至{d.get('to') or '—'}）",
        "coverage": lambda: f"已覆盖{d.get('covered', 0)} / {d.get('total', 0)}名VIP及核心客户",
        "complaints": lambda: f"本月办结{d.get('resolved', 0)}件，其中属实{d.get('substantiated', 0)}件（每件扣分）；"
                              f"本月收到{d.get('received', 0)}件",
        "compliance": lambda: f"被拒操作{d.get('refused', 0)}次；查看明文{d.get('unmasks', 0)}次"
                              f"（每月{d.get('unmask_allowance', 0)}次以内不计）",
    }
    return notes.get(item["key"], lambda: "")()


def _label_zh(key: str) -> str:
    with translation.override("zh-hans"):
        return str(LABELS[key])


def _deduction_zh(item: dict) -> list[str] | None:
    """A per-complaint deduction's Measured, Target, Attainment, Cap and Weight cells in Chinese (display.py), the
    capped tag on a line under the count; None for any other row."""
    with translation.override("zh-hans"):
        d = deduction_cells(item)
    if d is None:
        return None
    return [d["value"], d["target"], "\n".join(filter(None, (d["attainment"], d["capped"]))), d["cap"], d["weight"]]


def _rows(card: Scorecard) -> list[list]:
    rows = []
    for i in card.items:
        cells = _deduction_zh(i) or [i["value"], i["target"], i["attainment"] if i["recorded"] else None,
                                     i["cap"] if i["recorded"] else None, i["weight"]]
        rows.append([_label_zh(i["key"]), *cells, i["points"], _note(i)])
    return rows


def scorecard_xlsx(card: Scorecard) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效考核表"
    ws.append([f"绩效考核表 {card.month:%Y-%m}", safe_cell(card.advisor.name), card.advisor.advisor_id,
               STATUS_ZH.get(card.status, card.status)])
    ws.append([])
    ws.append(HEADERS)
    head = ws.max_row
    for c in ws[head]:
        c.font = Font(bold=True)
    for item, row in zip(card.items, _rows(card), strict=True):
        ws.append([safe_cell(v) for v in row])
        r = ws.max_row
        if isinstance(row[1], str):     # a deduction's cells are words: right-aligned like the numbers beside
            for col in range(2, 7):
                ws.cell(r, col).alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
        else:
            unit = UNITS[item["key"]]
            fmt = {"cny": XLSX_AMOUNT, "share": XLSX_PERCENT}.get(unit, XLSX_COUNT)
            for col in (2, 3):
                ws.cell(r, col).number_format = fmt
            ws.cell(r, 4).number_format = XLSX_PERCENT
            ws.cell(r, 5).number_format = XLSX_PERCENT
            ws.cell(r, 6).number_format = XLSX_RATIO
        ws.cell(r, 7).number_format = XLSX_RATIO
        ws.cell(r, 8).alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(["合计", None, None, None, None, weight_total(card.items), card.total, ""])
    ws.cell(ws.max_row, 7).number_format = XLSX_RATIO
    ws.append([])
    ws.append(["总监评语", safe_cell(card.comment or "—")])
    signed = f"{card.signed_by.username} {card.signed_at:%Y-%m-%d %H:%M}" if card.signed_at else "未签核"
    ws.append(["签核", safe_cell(signed)])
    for col, width in zip("ABCDEFGH", (34, 16, 16, 10, 12, 10, 10, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{head + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _shown(item: dict, v) -> str:
    if v is None:
        return "—"
    unit = UNITS[item["key"]]
    if unit == "cny":
        return cn_amount(v, lang="zh-hans")
    if unit == "share":
        return f"{float(v):.1%}"
    return f"{float(v):,.2f}".rstrip("0").rstrip(".")


def scorecard_pdf(card: Scorecard) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title=f"绩效考核表 {card.month:%Y-%m}")
    data = [HEADERS]
    for item in card.items:
        cells = _deduction_zh(item) or [_shown(item, item["value"]), _shown(item, item["target"]),
                                        f"{item['attainment']:.0%}" if item["recorded"] else "—",
                                        f"{item['cap']:.0%}" if item["recorded"] else "—", f"{item['weight']:g}"]
        data.append([Paragraph(_label_zh(item["key"]), body), *cells, points_text(item["points"]),
                     Paragraph(escape(_note(item)), body)])
    data.append(["合计", "", "", "", "", f"{weight_total(card.items):g}", points_text(card.total), ""])
    table = Table(data, colWidths=[190, 70, 70, 50, 58, 48, 50, 244], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (6, -1), "RIGHT")]))
    signed = f"{card.signed_by.username}，{card.signed_at:%Y-%m-%d %H:%M}" if card.signed_at else "未签核"
    story = [Paragraph(f"绩效考核表 {card.month:%Y-%m} · {escape(card.advisor.name)}（{card.advisor.advisor_id}）· "
                       f"{STATUS_ZH.get(card.status, card.status)}", title), Spacer(1, 8), table, Spacer(1, 10),
             Paragraph(f"总监评语：{escape(card.comment or '—')}", body), Paragraph(f"签核：{signed}", body)]
    doc.build(story)
    return buf.getvalue()
