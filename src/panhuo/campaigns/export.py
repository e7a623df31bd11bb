"""The campaign report as an Excel workbook: summary, by advisor, by channel, members (no personal data beyond
the client code and a masked name; formulas neutralised)."""

from __future__ import annotations

import io

from django.utils import translation
from openpyxl import Workbook

from panhuo.campaigns.models import Measure, MemberGroup
from panhuo.campaigns.services.launch import REASON_LABELS
from panhuo.clients.models import Channel
from panhuo.formatting import XLSX_AMOUNT, safe_cell, xlsx_sheet
from panhuo.measure.report import Report

LIFT_HEADERS = ["分组 Group", "处理组人数 Treatment n", "对照组人数 Control n", "处理组 Treatment", "对照组 Control",
                "提升 Lift", "95%下限 CI low", "95%上限 CI high", "p值 p-value"]


def _lift_row(label, lift):
    if lift is None:
        return [label] + [None] * 8
    return [label, lift.n_treatment, lift.n_control, lift.treatment_mean, lift.control_mean, lift.lift, lift.ci_low,
            lift.ci_high, lift.p_value]


def _both(text) -> str:
    """A translatable text in Chinese and English, as the workbook's other labels are."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh if zh == en else f"{zh} / {en}"


def campaign_workbook(*, campaign, report: Report, members, incentive=None) -> tuple[bytes, list[str]]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("summary 概要")
    ws.append([safe_cell(campaign.name)])
    measure = dict(Measure.choices).get(campaign.measure, campaign.measure)
    ws.append(["成功标准 Measure", _both(measure), "窗口 Window (days)", campaign.window_days])
    ws.append(["随机种子 Seed", campaign.seed, "对照比例 Control share", campaign.control_share])
    ws.append(["种子来源 Seed source", _both(campaign.get_seed_source_display()) if campaign.seed_source else ""])
    if campaign.seed_warning:                       # a chosen or unexplained seed: the split could have been picked
        ws.append(["警告 Warning", _both(campaign.seed_warning)])
    ws.append(LIFT_HEADERS)
    ws.append(_lift_row("全部 All", report.overall))
    ws.append(["换手异常 Turnover flags", report.flagged, "待计算 Pending", report.pending])
    channels = {k: _both(v) for k, v in Channel.choices}      # 电话 / Phone, never `phone`
    for title, rows, words in (("by advisor 按投顾", report.by_advisor, {}),
                               ("by channel 按渠道", report.by_channel, channels)):
        sheet = wb.create_sheet(title)
        sheet.append(LIFT_HEADERS)
        for label, lift in rows.items():
            sheet.append([safe_cell(v) for v in _lift_row(words.get(label, label), lift)])
    inc = wb.create_sheet("incentive 激励")
    inc.append(["每增量客户 Per incremental client", campaign.incentive_per_client, "每投顾上限 Cap per advisor",
                campaign.incentive_cap])
    if incentive is not None:
        lift = incentive.lift
        inc.append(["成功率提升 Lift in successes", lift.lift, "95%下限 CI low", lift.ci_low, "95%上限 CI high",
                    lift.ci_high])
        inc.append(["计入处理组 Treated counted", incentive.treated, "增量客户（下限×处理组）Incremental clients",
                    incentive.incremental, "激励总额 Pot (CNY)", incentive.pot])
        if not incentive.paid:
            inc.append(["区间包含零：未测出效果，不发激励 / The interval includes zero: no effect shown, nothing paid"])
    inc.append(["投资顾问（发起时）Advisor at launch", "计入人数 Counted treatment n", "成功 Successes",
                "本人对照组 Own control n", "对照组成功 Own control successes", "本人效果（收缩）Own effect (shrunk)",
                "份额 Share", "增量 Incremental", "激励 Incentive (CNY)", "封顶 Capped"])
    for r in incentive.rows if incentive is not None else ():
        inc.append([safe_cell(r.advisor), r.treated, r.successes, r.control, r.control_successes, r.effect, r.share,
                    r.incremental, r.amount, "Y" if r.capped else ""])
    # Codes as words (组别、排除原因 in both languages), numbers as numbers, laid out like every export.
    groups = {k: _both(v) for k, v in MemberGroup.choices}
    reasons = {k: _both(v) for k, v in REASON_LABELS.items()}
    append = xlsx_sheet(wb, title="members 成员", headers=[
        "客户号 Client", "投资顾问（发起时）Advisor at launch", "当前投资顾问 Current advisor", "分组 Group",
        "排除原因 Exclusion", "结果 Outcome", "之前 Before", "换手异常 Turnover flag"],
        widths=[14, 22, 22, 18, 34, 12, 12, 12], formats={5: XLSX_AMOUNT, 6: XLSX_AMOUNT})
    codes = []
    for m in members:
        codes.append(m.client.client_id)
        now = m.client.advisor
        append((m.client.client_id, m.advisor.name if m.advisor else "", now.name if now else "",
                groups.get(m.group, m.group), reasons.get(m.exclusion_reason, m.exclusion_reason), m.outcome,
                m.before, "是 Y" if m.turnover_flag else ""))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), codes
