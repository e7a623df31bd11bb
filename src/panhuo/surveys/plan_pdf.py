"""One version of a service plan as a Chinese PDF (服务计划书), for the client's file and the meeting with them.
ReportLab's built-in CID font STSong-Light renders Chinese without a font file (as the KPI report and the
scorecard do)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import translation

from panhuo.clients.models import ServicePlanVersion
from panhuo.formatting import cn_date
from panhuo.pdf import cjk_font
from panhuo.surveys.plan_selectors import action_rows, profile_shown

KIND_ZH = {"contact": "联系或拜访", "product": "产品或服务", "event": "培训或客户活动", "review": "账户回顾"}


def plan_pdf(version: ServicePlanVersion) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22)
    head = ParagraphStyle("h", fontName=font, fontSize=11.5, leading=16, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13)
    grid = TableStyle([("FONT", (0, 0), (-1, -1), font, 9.5), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f8"))])
    client = version.plan.client
    with translation.override("zh-hans"):
        shown = profile_shown(version.profile)
        actions = action_rows(version)

    def p(text) -> Paragraph:
        return Paragraph(escape(str(text or "—")), body)

    def pairs(rows) -> Table:
        t = Table([[p(a), p(b)] for a, b in rows], colWidths=[120, 380])
        t.setStyle(grid)
        return t

    by = version.by.get_full_name() or version.by.username if version.by else "—"
    story = [Paragraph("服务计划书", title),
             p(f"客户：{client.name}（{client.client_id}）  投资顾问：{client.advisor.name if client.advisor else '—'}"),
             p(f"第 {version.version} 版 · {cn_date(version.at, with_time=True)} · 制定人：{by}"),
             Spacer(1, 6), Paragraph("一、客户行为分析", head)]
    risk = shown["risk_level"] or "未测评"
    if shown["risk_level"]:
        risk += f"（有效期至 {cn_date(shown['risk_expires_on'])}）"
        if shown["risk_expired"]:
            risk += " 已过期：在重新测评前不得推荐产品"
    story.append(pairs([
        ("资产层级", f"{shown['tier'] or '—'} · 总资产 {shown['total_assets']}"),
        ("仓位", f"{shown['position'] or '—'} {shown['position_ratio']}"),
        ("盈亏", shown["profit"]),
        ("交易个性", f"{shown['personality'] or '—'}（{'自评' if shown['personality_self_assessed'] else '推断'}）"
         if shown["personality"] else "—"),
        ("投资目的", shown["goal"]),
        ("风险承受能力", risk),
        ("市道与仓位建议", f"{shown['regime']}：建议仓位 {shown['guidance']}（{cn_date(shown['market_on'])}）"
         if shown["regime"] else "—"),
    ]))
    if shown["needs"]:
        story += [Paragraph(f"二、客户需求调查（{cn_date(shown['needs_on'])}）", head),
                  pairs([(r["question"], r["value"]) for r in shown["needs"]])]
    else:
        story += [Paragraph("二、客户需求调查", head), p("尚未调查")]
    if shown["holdings"]:
        t = Table([[p("证券"), p("市值"), p("浮动盈亏")]] +
                  [[p(f"{h.get('name') or ''} {h.get('symbol') or ''}"), p(h["value"]), p(h["pnl"])]
                   for h in shown["holdings"]], colWidths=[240, 140, 120], repeatRows=1)
        t.setStyle(grid)
        story += [Paragraph("三、持仓", head), t]
    story += [Paragraph("四、服务目标", head)]
    story += [p(f"{i}. {g}") for i, g in enumerate(version.goals, 1)] or [p("—")]
    story.append(Paragraph("五、行动计划", head))
    if actions:
        t = Table([[p("事项"), p("类型"), p("产品及风险等级"), p("完成日期")]] +
                  [[p(a["what"]), p(KIND_ZH.get(a["kind"], "")),
                    p(f"{a.get('product', '')} {a.get('product_risk', '')}".strip() or "—"), p(cn_date(a["due"]))]
                   for a in actions], colWidths=[210, 90, 120, 80], repeatRows=1)
        t.setStyle(grid)
        story.append(t)
    else:
        story.append(p("—"))
    story += [Paragraph("六、复核", head), p(f"复核日期：{cn_date(version.review_on)}")]
    if version.note:
        story += [Paragraph("备注", head), p(version.note)]
    story += [Spacer(1, 10), p("本计划书中的产品与服务均已按客户风险承受能力等级进行适当性匹配；市道仓位建议为一般性建议，"
                              "不构成对具体证券的推荐，投资有风险。")]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=f"服务计划书 {client.client_id} 第{version.version}版",
                      leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40).build(story)
    return buf.getvalue()
