"""The director's training report as Excel and the certificate as PDF, with Chinese labels whatever the page's
language (the files are filed with the branch's records). Excel through `formatting.xlsx_sheet` (widths, frozen
header, autofilter, safe text); the PDF through ReportLab's built-in CID font STSong-Light, as the scorecard's and
the KPI report's PDFs, so no font file ships with panhuo."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from panhuo.formatting import DATE_FMT, XLSX_DATE, xlsx_sheet
from panhuo.pdf import cjk_font

KIND_ZH = {"general": "证券从业（一般证券业务）", "advisor": "证券投资顾问"}
STATE_ZH = {"none": "未登记", "lapsed": "已过期", "expiring": "即将到期", "current": "有效"}
DUE_ZH = {"registration_general": "从业注册待续期", "registration_advisor": "投顾注册待续期",
          "hours": "培训学时不足", "exam": "考试未通过"}
XLSX_HOURS = "0.0"


def _name(u) -> str:
    return u.get_full_name() or u.username


def report_xlsx(rows: list[dict], *, year: int) -> bytes:
    """Three sheets: everyone's registrations and hours, who is due and why, exams not passed."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    staff = xlsx_sheet(wb, title=f"培训与注册 {year}", widths=[14, 16, 14, 20, 12, 12, 20, 12, 12, 10, 10, 10, 24],
                       headers=["员工", "用户名", "营业部", "从业注册编号", "从业注册到期", "从业注册状态",
                                "投顾注册编号", "投顾注册到期", "投顾注册状态", "本年学时", "要求学时", "差额",
                                "待办"],
                       formats={4: XLSX_DATE, 7: XLSX_DATE, 9: XLSX_HOURS, 10: XLSX_HOURS, 11: XLSX_HOURS})
    for r in rows:
        g, a = r["registrations"]["general"], r["registrations"]["advisor"]
        staff([_name(r["user"]), r["user"].username, r["user"].branch.name if r["user"].branch else "",
               g.number if g else "", g.expires_on if g else None, STATE_ZH[r["states"]["general"]],
               a.number if a else "", a.expires_on if a else None, STATE_ZH[r["states"]["advisor"]],
               float(r["hours"]), float(r["required"]), float(r["short"]),
               "；".join(DUE_ZH[d] for d in r["due"])])
    due = xlsx_sheet(wb, title="到期与不足", widths=[14, 16, 24, 40],
                     headers=["员工", "用户名", "事项", "说明"])
    for r in rows:
        for d in r["due"]:
            if d.startswith("registration_"):
                kind = d.removeprefix("registration_")
                reg = r["registrations"][kind]
                note = f"{KIND_ZH[kind]} {reg.number}，{STATE_ZH[r['states'][kind]]}，到期日 {reg.expires_on:{DATE_FMT}}"
                if kind == "advisor" and r["states"][kind] == "lapsed":
                    note += "；续期前不能发送具体投资建议"
            elif d == "hours":
                note = f"本年 {r['hours']:.1f} 学时，要求 {r['required']:.1f} 学时，差 {r['short']:.1f} 学时"
            else:
                note = "；".join(f"{a.exam.course.title_zh} 第{a.number}次 {a.percent:.0f}分" for a in r["failed"])
            due([_name(r["user"]), r["user"].username, DUE_ZH[d], note])
    failed = xlsx_sheet(wb, title="考试未通过", widths=[14, 16, 40, 8, 10, 18],
                        headers=["员工", "用户名", "课程", "次数", "得分", "提交时间"])
    for r in rows:
        for a in r["failed"]:
            failed([_name(r["user"]), r["user"].username, a.exam.course.title_zh, a.number, float(a.percent),
                    f"{a.submitted_at:%Y-%m-%d %H:%M}" if a.submitted_at else ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def certificate_pdf(cert) -> bytes:
    """A one-page certificate (结业证书): who, which course, the score, the number and the date."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=30, leading=40, alignment=1)
    big = ParagraphStyle("b", fontName=font, fontSize=16, leading=28, alignment=1)
    small = ParagraphStyle("s", fontName=font, fontSize=11, leading=18, alignment=1)
    attempt = cert.attempt
    user = attempt.user
    branch = user.branch.name if user.branch else ""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title=f"结业证书 {cert.number}", topMargin=70)
    story = [
        Paragraph("结业证书", title), Spacer(1, 24),
        Paragraph(f"{escape(_name(user))}（{escape(branch)}）", big),
        Paragraph(f"参加“{escape(attempt.exam.course.title_zh)}”培训，", big),
        Paragraph(f"于 {attempt.submitted_at:%Y年%m月%d日} 结业考试合格（{attempt.correct}/{attempt.total}题，"
                  f"{attempt.percent:.0f}分，合格线{attempt.exam.pass_mark}分），特发此证。", big),
        Spacer(1, 40),
        Paragraph(f"证书编号：{escape(cert.number)}　　发证日期：{cert.issued_on:{DATE_FMT}}", small),
        Paragraph("本证书由盘活系统根据考试记录生成，可凭编号在系统中查验。", small),
    ]
    doc.build(story)
    return buf.getvalue()
