"""The campaign builder's vocabulary in a branch manager's words: fields with labels in groups, operators as words,
values with units, choices for categorical values, and the material's reactivation playbooks as templates.

The stored target stays the selectors' closed vocabulary ({"field", "op", "value"} over the latest snapshot):
this module only translates between it and the form's rows. 介于 (between) is stored as two rules (≥ and ≤)
and read back as one row. Amounts are typed as staff write them ("50万", "1.5亿"; a bare number is 万元).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from panhuo.analytics.segments import label, load_config, order
from panhuo.formatting import parse_amount


@dataclass(frozen=True)
class Field:
    key: str                    # the selectors' field name (never shown)
    label: object
    group: object
    kind: str                   # amount (万元) | days | count | percent | choice
    unit: object = ""
    segment: str = ""           # segments.toml section for choices
    choices: tuple = field(default=())


GROUPS = [_("Assets"), _("Activity"), _("Lifecycle"), _("Risk"), _("Behaviour"), _("Holdings"), _("Contact")]
A, ACT, LIFE, RISK, BEH, HOLD, CON = GROUPS
WAN, DAYS, PCT, TIMES = _("10k CNY"), _("days"), "%", _("times")

FIELDS = [
    Field("total_assets", _("Total assets"), A, "amount", WAN),
    Field("features.peak_assets_365d", _("Peak assets in the last year"), A, "amount", WAN),
    Field("tier", _("Client tier"), A, "choice", segment="tier"),
    Field("value_tier", _("Commission contribution"), A, "choice", segment="value"),
    Field("days_since_last_trade", _("Days since the last trade"), ACT, "days", DAYS),
    Field("trades_90d", _("Trades in the last 90 days"), ACT, "count", TIMES),
    Field("features.trading_days_365d", _("Trading days in the last year"), ACT, "days", DAYS),
    Field("features.trading_days_total", _("Trading days since opening"), ACT, "days", DAYS),
    Field("lifecycle", _("Lifecycle stage"), LIFE, "choice", segment="lifecycle"),
    Field("p_alive", _("Chance the client is still active"), LIFE, "percent", PCT),
    Field("risk_level", _("Risk tolerance level"), RISK, "choice",
          choices=tuple((c, c) for c in ("C1", "C2", "C3", "C4", "C5"))),
    Field("churn_risk", _("Churn risk"), RISK, "percent", PCT),
    Field("personality", _("Investor type (self-assessment)"), RISK, "choice", segment="personality"),
    Field("trading_style", _("Trading style"), BEH, "choice", segment="style"),
    Field("features.turnover_6m", _("Turnover over 6 months"), BEH, "count", TIMES),
    Field("position_band", _("Position"), HOLD, "choice", segment="position"),
    Field("profit_state", _("Profit or loss"), HOLD, "choice", segment="profit"),
    Field("features.lifetime_pnl_pct", _("Gain or loss since opening"), HOLD, "percent", PCT),
    Field("features.drawdown_from_peak", _("Fall from the year's peak assets"), HOLD, "percent", PCT),
    Field("features.days_since_last_contact", _("Days since the last contact"), CON, "days", DAYS),
    Field("features.contacts_90d", _("Contacts in the last 90 days"), CON, "count", TIMES),
]
BY_KEY = {f.key: f for f in FIELDS}

# Operators as words; "between" becomes two stored rules.
OPS = {"gte": "≥", "lte": "≤", "between": _("between"), "in": _("is one of")}
NUMERIC_OPS = ["gte", "lte", "between"]


def choices_for(f: Field, lang: str) -> list[tuple[str, str]]:
    """The categorical values of a field with their labels in the reader's language (segments.toml)."""
    if f.choices:
        return list(f.choices)
    cfg = load_config()
    zh = "zh" if lang.startswith("zh") else "en"
    return [(k, label(f.segment, k, zh, cfg)) for k in order(f.segment, cfg)]


def grouped_fields() -> list[tuple[object, list[Field]]]:
    return [(g, [f for f in FIELDS if f.group == g]) for g in GROUPS]


def _number(f: Field, text) -> float:
    """A typed value in the field's unit, stored in the snapshot's unit (元, fraction, days)."""
    if f.kind == "amount":
        return parse_amount(text, default_unit="万")
    value = float(str(text).strip().rstrip("%").replace(",", ""))
    return value / 100 if f.kind == "percent" else value


def _shown(f: Field, value) -> str:
    """A stored value as the form shows it: 500000 → '50' (万元), 0.3 → '30' (%)."""
    if value is None or value == "":
        return ""
    v = float(value) / (1e4 if f.kind == "amount" else 0.01 if f.kind == "percent" else 1)
    return f"{v:g}"


@dataclass
class Row:
    field: str = ""
    op: str = "gte"
    value: str = ""
    to: str = ""
    chosen: list = None
    error: str = ""

    @property
    def spec(self) -> Field | None:
        return BY_KEY.get(self.field)


def rows_from_post(data, *, limit: int = 20) -> list[Row]:
    """The form's indexed rows (rule-<i>-field, -op, -value, -to, -choice)."""
    rows = []
    for i in range(limit):
        f = data.get(f"rule-{i}-field", "")
        if not f:
            continue
        rows.append(Row(field=f, op=data.get(f"rule-{i}-op", "gte"), value=data.get(f"rule-{i}-value", ""),
                        to=data.get(f"rule-{i}-to", ""), chosen=data.getlist(f"rule-{i}-choice")))
    return rows


def rules_from_rows(rows: list[Row]) -> tuple[list[dict], list[str]]:
    """Stored rules and the problems, in words (an unknown field, an amount that is not one, an empty choice)."""
    rules, problems = [], []
    for r in rows:
        f = r.spec
        if f is None:
            problems.append(str(_("Unknown field")))
            continue
        try:
            if f.kind == "choice":
                if not r.chosen:
                    raise ValueError
                rules.append({"field": f.key, "op": "in", "value": list(r.chosen)})
            elif r.op == "between":
                low, high = sorted((_number(f, r.value), _number(f, r.to)))
                rules += [{"field": f.key, "op": "gte", "value": low}, {"field": f.key, "op": "lte", "value": high}]
            elif r.op in ("gte", "lte"):
                rules.append({"field": f.key, "op": r.op, "value": _number(f, r.value)})
            else:
                raise ValueError
        except (ValueError, TypeError):
            r.error = str(_("Type a number (amounts as 50万 or 1.5亿)")) if f.kind != "choice" else str(
                _("Pick at least one value"))
            problems.append(f"{f.label}: {r.error}")
    return rules, problems


def rows_from_rules(rules: list[dict]) -> list[Row]:
    """Stored rules back as rows: a ≥ and a ≤ on the same field read as one 介于 row."""
    rows: list[Row] = []
    for rule in rules:
        f = BY_KEY.get(rule.get("field", ""))
        if f is None:
            continue
        op, value = rule.get("op"), rule.get("value")
        if f.kind == "choice":
            chosen = value if isinstance(value, list) else [value]
            rows.append(Row(field=f.key, op="in", chosen=[str(c) for c in chosen]))
            continue
        prev = rows[-1] if rows else None
        if op == "lte" and prev and prev.field == f.key and prev.op == "gte":
            prev.op, prev.to = "between", _shown(f, value)
            continue
        rows.append(Row(field=f.key, op=op if op in ("gte", "lte") else "gte", value=_shown(f, value)))
    return rows


# The material's reactivation playbooks (休眠户激活: 有资金实力的, 过往有频率现在休眠的, 大亏的客户; 低活跃度 from its
# service levels), each a starting point the designer edits. Amounts in 元, percentages as fractions.
PHONE_SCRIPT = ("{name}您好，我是您在营业部的投资顾问。当前{regime}，想跟您约个时间一起看看您的持仓{holdings}，"
                "听听您的想法。投资有风险，入市需谨慎。")
SMS_SCRIPT = ("【盘活证券】{name}您好，营业部本周六有投资者教育讲座，欢迎到场交流。投资有风险。回复TD退订")
TEMPLATES = {
    "funded_dormant": {
        "title": _("Dormant clients with funds"),
        "name": "有资金实力的休眠户激活", "goal": "让资产在50万以上、半年未交易的客户恢复交易",
        "rules": [{"field": "lifecycle", "op": "in", "value": ["dormant"]},
                  {"field": "total_assets", "op": "gte", "value": 500_000}],
        "schedule": [{"day": 0, "channel": "phone", "script": PHONE_SCRIPT}],
        "measure": "resumed", "product_risk": "",
    },
    "formerly_frequent": {
        "title": _("Traded often before, dormant now"),
        "name": "过往交易频繁现在休眠", "goal": "曾经交易活跃的客户重新开始交易",
        "rules": [{"field": "lifecycle", "op": "in", "value": ["dormant", "declining"]},
                  {"field": "features.trading_days_total", "op": "gte", "value": 60}],
        "schedule": [{"day": 0, "channel": "sms", "script": SMS_SCRIPT},
                     {"day": 3, "channel": "phone", "script": PHONE_SCRIPT}],
        "measure": "resumed", "product_risk": "",
    },
    "heavy_loss": {
        "title": _("Clients with heavy losses"),
        "name": "大幅亏损客户关怀", "goal": "陪亏损三成以上的客户复盘持仓，留住客户与资产",
        "rules": [{"field": "features.lifetime_pnl_pct", "op": "lte", "value": -0.30}],
        "schedule": [{"day": 0, "channel": "phone", "script": PHONE_SCRIPT}],
        "measure": "assets", "product_risk": "",
    },
    "low_activity": {
        "title": _("Care for low activity"),
        "name": "低活跃度关怀", "goal": "活跃度下降的客户在流失前得到一次关怀",
        "rules": [{"field": "lifecycle", "op": "in", "value": ["declining"]},
                  {"field": "features.days_since_last_contact", "op": "gte", "value": 60}],
        "schedule": [{"day": 0, "channel": "sms", "script": SMS_SCRIPT},
                     {"day": 7, "channel": "phone", "script": PHONE_SCRIPT}],
        "measure": "resumed", "product_risk": "",
    },
}


# ---- the schedule of message steps: (day, channel, script) rows --------------------------------------------

def schedule_from_post(data, *, limit: int = 12) -> tuple[list[dict], list[str]]:
    from panhuo.clients.models import Channel

    steps, problems = [], []
    for i in range(limit):
        channel, script = data.get(f"step-{i}-channel", ""), data.get(f"step-{i}-script", "").strip()
        day = data.get(f"step-{i}-day", "").strip()
        if not channel and not script:
            continue
        if channel not in Channel.values:
            problems.append(str(_("Step %(n)d: pick a channel")) % {"n": i + 1})
            continue
        if not day.isdigit() or int(day) > 366:
            problems.append(str(_("Step %(n)d: the day is a whole number of days after the start")) % {"n": i + 1})
            continue
        if not script:
            problems.append(str(_("Step %(n)d: write the script")) % {"n": i + 1})
            continue
        steps.append({"day": int(day), "channel": channel, "script": script})
    if not steps and not problems:
        problems.append(str(_("Add at least one step: a day, a channel and its script")))
    return sorted(steps, key=lambda s: (s["day"], s["channel"])), problems


def schedule_fields(steps: list[dict]) -> dict:
    """What the rest of the engine reads: the channels, the days of the message steps, the first script (shown
    on advisors' Today tasks)."""
    channels = list(dict.fromkeys(s["channel"] for s in steps))
    days = sorted({s["day"] for s in steps}) or [0]
    return {"schedule": steps, "channels": channels, "step_days": days, "script": steps[0]["script"] if steps else ""}
