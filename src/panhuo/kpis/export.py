"""The KPI report as Excel (number formats, widths, frozen header, Chinese labels) and PDF (ReportLab's built-in
CID font STSong-Light renders Chinese without a font file). Input: kpis.services.kpi_report's branch dicts."""

from __future__ import annotations

import io

from panhuo.analytics.kpis import FIGURES
from panhuo.formatting import safe_cell
from panhuo.kpis.format import figure_text
from panhuo.pdf import cjk_font

FORMATS = {"count": "#,##0", "amount": "#,##0.00", "ratio": "0.0%", "number": "0.00", "score": "0"}
WIDTHS = {"count": 12, "amount": 18, "ratio": 12, "number": 12, "score": 10}


def label(name: str, kind: str, lang: str) -> str:
    zh, en = next((f[1], f[2]) for f in FIGURES if f[0] == name)
    return zh if lang == "zh" else en


def _display(value, kind: str, lang: str) -> str:
    return figure_text(value, kind, lang="zh-hans" if lang == "zh" else "en")


def report_xlsx(reports: list[dict], *, lang: str = "zh") -> bytes:
    """One sheet per branch: the branch's row first, then one row per team, then one per advisor; a column per
    figure."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    first = ["营业部/团队/投资顾问", "代码"] if lang == "zh" else ["Branch / team / advisor", "Code"]
    team_word = "团队" if lang == "zh" else "team"
    for rep in reports or [{"month": "", "branch_code": "-", "branch_name": "", "branch": {}, "advisors": []}]:
        ws = wb.create_sheet(f"{rep['branch_code']} {rep['month']}"[:31])
        ws.append(first + [label(n, k, lang) for n, _z, _e, k in FIGURES])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        rows = [(rep["branch_name"], rep["branch_code"], rep["branch"])]
        rows += [(t["team"], team_word, t) for t in rep.get("teams", [])]
        rows += [(a.get("name", ""), a["advisor"], a) for a in rep["advisors"]]
        for name, code, figs in rows:
            ws.append([safe_cell(name), safe_cell(code)] + [figs.get(n) for n, *_ in FIGURES])
            r = ws.max_row
            for i, (_n, _z, _e, kind) in enumerate(FIGURES, start=3):
                ws.cell(row=r, column=i).number_format = FORMATS[kind]
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 10
        for i, (_n, _z, _e, kind) in enumerate(FIGURES, start=3):
            ws.column_dimensions[get_column_letter(i)].width = WIDTHS[kind]
        ws.freeze_panes = "C2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_pdf(reports: list[dict], *, lang: str = "zh") -> bytes:
    """A page per branch: the branch's figures as a two-column table, then the advisors' main figures."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7"))])
    story = []
    main = ["clients_total", "active_clients", "dormant_clients", "reactivated_clients", "assets_total",
            "net_inflow", "commission", "coverage", "vip_uncontacted"]
    kinds = {n: k for n, _z, _e, k in FIGURES}
    for i, rep in enumerate(reports):
        if i:
            story.append(PageBreak())
        head = (f"{rep['branch_name']} {rep['month']} 经营指标月报" if lang == "zh"
                else f"{rep['branch_name']} · monthly figures {rep['month']}")
        story += [Paragraph(head, title), Spacer(1, 6)]
        half = (len(FIGURES) + 1) // 2
        cells = [[label(n, k, lang), _display(rep["branch"].get(n), k, lang)] for n, _z, _e, k in FIGURES]
        grid = [a + b for a, b in zip(cells[:half], cells[half:] + [["", ""]], strict=False)]
        story += [Table(grid, style=style), Spacer(1, 12)]
        if rep.get("teams"):
            story.append(Paragraph("团队" if lang == "zh" else "Teams", body))
            rows = [["团队" if lang == "zh" else "Team"] + [label(n, kinds[n], lang) for n in main]]
            rows += [[t["team"]] + [_display(t.get(n), kinds[n], lang) for n in main] for t in rep["teams"]]
            story += [Table(rows, style=style, repeatRows=1), Spacer(1, 12)]
        if rep["advisors"]:
            story.append(Paragraph("投资顾问" if lang == "zh" else "Advisors", body))
            rows = [["投资顾问" if lang == "zh" else "Advisor"] + [label(n, kinds[n], lang) for n in main]]
            rows += [[a.get("name") or a["advisor"]] + [_display(a.get(n), kinds[n], lang) for n in main]
                     for a in rep["advisors"]]
            story.append(Table(rows, style=style, repeatRows=1))
    if not story:
        story.append(Paragraph("无数据" if lang == "zh" else "No figures", body))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), title="KPI").build(story)
    return buf.getvalue()
