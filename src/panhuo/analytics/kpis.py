"""The branch's figures: ONE definition each, computed from the warehouse for a month (docs/kpis.md).

Every page, export and report reads these figures (the monthly KpiMonth rows the report snapshot writes) or,
for the figures of the day, the same rules applied to the daily snapshot (dormancy: segments.toml [dormancy];
tier: [tier]). Nothing here imports Django.

A month runs from its first day S to its last day E; "at a date D" means the latest daily-assets row on or
before D (the back office may send month-end rows only) and the latest trade on or before D.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from panhuo.analytics.features import lit
from panhuo.analytics.segments import load_config

# name, Chinese label, English label, kind (count | amount | ratio | number): the report's columns, in order.
FIGURES: list[tuple[str, str, str, str]] = [
    ("clients_total", "客户总数", "Clients", "count"),
    ("clients_new", "新开户", "New accounts", "count"),
    ("active_clients", "当月交易客户", "Clients who traded", "count"),
    ("dormant_clients", "休眠客户", "Dormant clients", "count"),
    ("reactivated_clients", "激活客户", "Reactivated clients", "count"),
    ("churned_clients", "流失客户", "Churned clients", "count"),
    ("assets_total", "月末总资产", "Assets at month end", "amount"),
    ("assets_in", "资金转入", "Money transferred in", "amount"),
    ("assets_out", "资金转出", "Money transferred out", "amount"),
    ("net_inflow", "资金净流入", "Net inflow", "amount"),
    ("commission", "佣金", "Commission", "amount"),
    ("trades", "成交笔数", "Trades", "count"),
    ("turnover", "成交金额", "Turnover", "amount"),
    ("turnover_rate", "资金周转率", "Turnover rate", "number"),
    ("clients_profit", "盈利客户", "Clients in profit", "count"),
    ("clients_flat", "持平客户", "Clients flat", "count"),
    ("clients_loss", "亏损客户", "Clients at a loss", "count"),
    ("profit_share", "盈利客户占比", "Share in profit", "ratio"),
    ("flat_share", "持平客户占比", "Share flat", "ratio"),
    ("loss_share", "亏损客户占比", "Share at a loss", "ratio"),
    ("vip_asset_share", "VIP客户资产占比", "VIP share of assets", "ratio"),
    ("contacts", "服务次数", "Contacts", "count"),
    ("coverage", "VIP及核心客户回访覆盖率", "VIP and core coverage", "ratio"),
    ("vip_uncontacted", "超期未回访VIP", "VIPs past their cadence", "count"),
    ("clients_in", "客户流入", "Clients in", "count"),
    ("clients_out", "客户流出", "Clients out", "count"),
    # Client events (docs/events.md), from the operational store's events handed in as rows: event_figures().
    ("events_held", "举办客户活动", "Client events held", "count"),
    ("event_attendees", "活动到场客户", "Clients who attended", "count"),
    ("event_attendance_rate", "活动到场率", "Event attendance rate", "ratio"),
    ("event_reactivated", "活动后30天内激活", "Reactivated within 30 days of attending", "count"),
    ("event_reactivation_rate", "到场休眠客户激活率", "Reactivation rate of dormant attendees", "ratio"),
    ("nps", "净推荐值", "NPS", "score"),
    ("nps_answers", "满意度答卷", "Satisfaction answers", "count"),
    ("plan_coverage", "VIP服务计划覆盖率", "VIP service plan coverage", "ratio"),
    ("complaints_received", "收到投诉", "Complaints received", "count"),
    ("complaints_sla_share", "投诉按期办结率", "Complaints resolved within the deadline", "ratio"),
    ("complaints_overdue", "超期未办结投诉", "Complaints open past the deadline", "count"),
]
# Figures from the operational store's complaints (complaint_figures), not from the warehouse.
COMPLAINT_FIGURES = ["complaints_received", "complaints_sla_share", "complaints_overdue"]
EVENT_FIGURES = ["events_held", "event_attendees", "event_attendance_rate", "event_reactivated",
                 "event_reactivation_rate"]
EVENT_REACTIVATION_DAYS = 30
FIGURE_NAMES = [f[0] for f in FIGURES]
DEFAULT_CADENCE = {"vip": 30, "core": 90, "mass": 180}
NEVER = 100000   # days: "never traded, no opening date" counts as quiet forever


@dataclass(frozen=True)
class Month:
    start: date
    end: date

    @classmethod
    def parse(cls, text: str, *, until: date | None = None) -> Month:
        """'2024-06' -> the month's first and last day (or `until`, for month-to-date figures); else ValueError."""
        y, m = (int(x) for x in text.split("-"))
        end = date(y, m, calendar.monthrange(y, m)[1])
        return cls(date(y, m, 1), min(end, until) if until else end)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def before(self) -> date:   # the day before the month starts: the opening state
        return self.start - timedelta(days=1)

    def previous(self, n: int = 1) -> Month:
        d = self.start
        for _ in range(n):
            d = (d - timedelta(days=1)).replace(day=1)
        return Month.parse(f"{d:%Y-%m}")


# NPS (净推荐值): of the month's satisfaction answers that count (the client's own, through their link, or taken
# by staff independent of the service; docs/service-plan.md), the share of promoters (9–10 on "how likely are
# you to recommend us", 0–10) minus the share of detractors (0–6), in points from −100 to +100. THE definition:
# nps_group says which group a score is in, nps_from_counts turns the counts into the figure, and the monthly
# figure (kpis_month) counts with nps_group_sql, built from the same two numbers.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def nps_group(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if not 0 <= int(score) <= 10:
        raise ValueError(f"a recommend score is 0..10, not {score}")
    return "promoter" if score >= PROMOTER_MIN else "detractor" if score <= DETRACTOR_MAX else "passive"


def nps_from_counts(promoters: int, detractors: int, answers: int) -> float | None:
    """%promoters − %detractors, one decimal; None without answers."""
    if not answers:
        return None
    return round(100.0 * (promoters - detractors) / answers, 1)


def nps(scores) -> float | None:
    """NPS of a list of 0–10 scores."""
    groups = [nps_group(s) for s in scores]
    return nps_from_counts(groups.count("promoter"), groups.count("detractor"), len(groups))


def nps_group_sql(col: str) -> tuple[str, str]:
    """(is promoter, is detractor) as SQL conditions on the 0–10 column `col`."""
    return f"{col} >= {PROMOTER_MIN}", f"{col} <= {DETRACTOR_MAX}"


def dormant_sql(*, last_trade: str, opened: str, assets: str, on: str, config: dict | None = None) -> str:
    """THE dormancy rule (segments.toml [dormancy]) as SQL at date `on`: no trade for N days since the last trade
    (or since opening, for an account that never traded) and at least the minimum assets. The daily snapshot's
    is_dormant and lifecycle 'dormant' apply the same rule (analytics/segments.py)."""
    dm = (config or load_config())["dormancy"]
    quiet = (f"coalesce(date_diff('day', {last_trade}, {on}), date_diff('day', {opened}, {on}), {NEVER}) "
             f">= {dm['min_days_without_trade']}")
    return f"({quiet} AND coalesce({assets}, 0) >= {dm['min_assets']})"


def _per_client(m: Month, *, has_contacts: bool, has_assign: bool, has_team: bool, cfg: dict,
                has_plans: bool = False) -> str:
    s, e, b = lit(m.start), lit(m.end), lit(m.before)
    lookback = lit(m.start - timedelta(days=800))   # a client's latest assets row is at most this old
    upto = lambda d: f"CASE WHEN date <= {d} THEN date END"   # noqa: E731
    advisor = "coalesce(a.advisor_id, c.advisor_id)" if has_assign else "c.advisor_id"
    team = "tm.team_id" if has_team else "CAST(NULL AS BIGINT)"
    assign = "LEFT JOIN kpi_assign a ON a.client_id = c.client_id" if has_assign else ""
    if has_team:   # the team of the advisor the client has now (panhuo's assignment first)
        assign += f" LEFT JOIN kpi_team tm ON tm.advisor_id = {advisor}"
    contacts = (f"""LEFT JOIN (SELECT client_id,
          max(CAST(contact_time AS DATE)) FILTER (WHERE CAST(contact_time AS DATE) <= {e}) AS last_contact,
          count(*) FILTER (WHERE CAST(contact_time AS DATE) BETWEEN {s} AND {e}) AS contacts
        FROM contacts WHERE by_staff GROUP BY client_id) k ON k.client_id = c.client_id"""
                if has_contacts else "")
    k_cols = ("k.last_contact, coalesce(k.contacts, 0) AS contacts" if has_contacts
              else "CAST(NULL AS DATE) AS last_contact, 0 AS contacts")
    # The service plan in force at E: the client's latest version saved on or before E, and its review date.
    plans = (f"""LEFT JOIN (SELECT client_id, arg_max(review_on, seq) AS plan_review FROM kpi_plans
        WHERE saved_on <= {e} GROUP BY client_id) pl ON pl.client_id = c.client_id""" if has_plans else "")
    k_cols += ", pl.plan_review" if has_plans else ", CAST(NULL AS DATE) AS plan_review"
    band = cfg["profit"]["band"]
    return f"""
    WITH da AS (
      SELECT client_id, arg_max(total_assets, {upto(b)}) AS assets_start, arg_max(total_assets, {upto(e)}) AS assets_end,
             avg(CASE WHEN date BETWEEN {s} AND {e} THEN total_assets END) AS assets_avg
      FROM daily_assets WHERE date <= {e} AND date > {lookback} GROUP BY client_id),
    cd AS (
      SELECT client_id, max(CASE WHEN trade_date <= {b} THEN trade_date END) AS last_trade_start,
             max(trade_date) AS last_trade_end,
             count(*) FILTER (WHERE trade_date >= {s}) AS trade_days,
             coalesce(sum(trades) FILTER (WHERE trade_date >= {s}), 0) AS trades,
             coalesce(sum(amount) FILTER (WHERE trade_date >= {s}), 0) AS turnover,
             coalesce(sum(commission) FILTER (WHERE trade_date >= {s}), 0) AS commission
      FROM client_days WHERE trade_date <= {e} GROUP BY client_id),
    tf AS (
      SELECT client_id, sum(CASE WHEN direction = 'in' THEN amount ELSE 0 END) AS assets_in,
             sum(CASE WHEN direction = 'out' THEN amount ELSE 0 END) AS assets_out
      FROM transfers WHERE CAST(transfer_time AS DATE) BETWEEN {s} AND {e} GROUP BY client_id),
    pc AS (
      SELECT c.client_id, c.branch_id, {advisor} AS advisor_id, {team} AS team_id, c.open_date,
             da.assets_start, da.assets_end, da.assets_avg, cd.last_trade_start, cd.last_trade_end,
             coalesce(cd.trade_days, 0) AS trade_days, coalesce(cd.trades, 0) AS trades,
             coalesce(cd.turnover, 0) AS turnover, coalesce(cd.commission, 0) AS commission,
             coalesce(tf.assets_in, 0) AS assets_in, coalesce(tf.assets_out, 0) AS assets_out, {k_cols}
      FROM clients c LEFT JOIN da ON da.client_id = c.client_id LEFT JOIN cd ON cd.client_id = c.client_id
        LEFT JOIN tf ON tf.client_id = c.client_id {assign} {contacts} {plans}
      WHERE c.open_date IS NULL OR c.open_date <= {e}),
    ranked AS (
      SELECT *, row_number() OVER (ORDER BY coalesce(assets_end, 0) DESC, client_id) AS asset_rank,
             sum(CASE WHEN coalesce(assets_end, 0) > 0 THEN 1 ELSE 0 END) OVER () AS n_with_assets FROM pc)
    SELECT *,
      CASE WHEN coalesce(assets_end, 0) <= 0 THEN 'none'
           {" ".join(f"WHEN asset_rank <= ceil({t['top_share']} * n_with_assets) THEN '{t['key']}'"
                     for t in cfg['tier']['bands'])} END AS tier,
      {dormant_sql(last_trade='last_trade_start', opened='open_date', assets='assets_start', on=b, config=cfg)}
        AND (open_date IS NULL OR open_date <= {b}) AS dormant_start,
      {dormant_sql(last_trade='last_trade_end', opened='open_date', assets='assets_end', on=e, config=cfg)}
        AS dormant_end,
      open_date BETWEEN {s} AND {e} AS is_new,
      coalesce(assets_start, 0) >= {cfg['dormancy']['min_assets']}
        AND coalesce(assets_end, 0) < {cfg['dormancy']['min_assets']} AS churned,
      CASE WHEN coalesce(assets_start, 0) > 0 THEN
        (coalesce(assets_end, 0) - assets_start - (assets_in - assets_out)) / assets_start END AS period_return,
      {band} AS band
    FROM ranked"""


def _aggregate(cadence_cte: str, *, has_team: bool) -> str:
    # A team's figures are those of its members' clients together (ratios from the team's sums, not an average
    # of its advisors' ratios), so they use the same definitions as the branch's and each advisor's.
    if has_team:
        team_set = ", (p.branch_id, p.team_id)"
        team_cols = ("p.team_id, grouping(p.advisor_id) = 1 AND grouping(p.team_id) = 1 AS branch_total, "
                     "grouping(p.team_id) = 0 AS team_total")
    else:
        team_set = ""
        team_cols = "NULL AS team_id, grouping(p.advisor_id) = 1 AS branch_total, false AS team_total"
    return f"""
    , cad AS ({cadence_cte})
    SELECT p.branch_id, p.advisor_id, {team_cols},
      count(*) AS clients_total,
      count(*) FILTER (WHERE is_new) AS clients_new,
      count(*) FILTER (WHERE trade_days > 0) AS active_clients,
      count(*) FILTER (WHERE dormant_end) AS dormant_clients,
      count(*) FILTER (WHERE dormant_start AND trade_days > 0) AS reactivated_clients,
      count(*) FILTER (WHERE churned) AS churned_clients,
      coalesce(sum(assets_end), 0) AS assets_total,
      sum(assets_in) AS assets_in, sum(assets_out) AS assets_out, sum(assets_in) - sum(assets_out) AS net_inflow,
      sum(commission) AS commission, sum(trades) AS trades, sum(turnover) AS turnover,
      sum(coalesce(assets_avg, assets_end, 0)) AS assets_avg,
      count(*) FILTER (WHERE period_return > band) AS clients_profit,
      count(*) FILTER (WHERE period_return BETWEEN -band AND band) AS clients_flat,
      count(*) FILTER (WHERE period_return < -band) AS clients_loss,
      coalesce(sum(assets_end) FILTER (WHERE tier = 'vip'), 0) AS vip_assets,
      sum(contacts) AS contacts,
      count(*) FILTER (WHERE tier IN ('vip', 'core') AND p.advisor_id IS NOT NULL) AS cover_base,
      count(*) FILTER (WHERE tier IN ('vip', 'core') AND p.advisor_id IS NOT NULL
                       AND last_contact > END_DATE - to_days(cad.days)) AS cover_hit,
      count(*) FILTER (WHERE tier = 'vip' AND p.advisor_id IS NOT NULL
                       AND (last_contact IS NULL OR last_contact <= END_DATE - to_days(cad.days))) AS vip_uncontacted,
      count(*) FILTER (WHERE is_new) AS clients_in,
      count(*) FILTER (WHERE churned) AS clients_out,
      count(*) FILTER (WHERE tier = 'vip' AND p.advisor_id IS NOT NULL) AS plan_base,
      count(*) FILTER (WHERE tier = 'vip' AND p.advisor_id IS NOT NULL AND plan_review >= END_DATE) AS plan_hit
    FROM per_client p LEFT JOIN cad ON cad.c_branch = p.branch_id AND cad.c_tier = p.tier
    GROUP BY GROUPING SETS ((p.branch_id), (p.branch_id, p.advisor_id){team_set})"""


def _finish(row: dict) -> dict:
    """Ratios from the sums; plain Python numbers (JSON-ready)."""
    out = {k: row[k] for k in FIGURE_NAMES if k in row}
    for k, v in out.items():
        out[k] = round(float(v), 2) if isinstance(v, float) else int(v or 0)
    judged = row["clients_profit"] + row["clients_flat"] + row["clients_loss"]
    for part in ("profit", "flat", "loss"):
        out[f"{part}_share"] = round(row[f"clients_{part}"] / judged, 4) if judged else None
    out["turnover_rate"] = round(row["turnover"] / row["assets_avg"], 4) if row["assets_avg"] else None
    out["vip_asset_share"] = round(row["vip_assets"] / row["assets_total"], 4) if row["assets_total"] else None
    out["coverage"] = round(row["cover_hit"] / row["cover_base"], 4) if row["cover_base"] else None
    out["plan_coverage"] = (round(row["plan_hit"] / row["plan_base"], 4)
                            if row.get("has_plans") and row["plan_base"] else None)
    out["nps_answers"] = int(row.get("nps_n") or 0)
    out["nps"] = nps_from_counts(int(row.get("nps_promoters") or 0), int(row.get("nps_detractors") or 0),
                                 out["nps_answers"])
    return {k: out.get(k) for k in FIGURE_NAMES}


def _nps_sql(m: Month, *, has_assign: bool) -> str:
    """The month's satisfaction answers counted per branch and per advisor rated (the contact's advisor, else
    the client's)."""
    promoter, detractor = nps_group_sql("s.score")
    assign = "LEFT JOIN kpi_assign a ON a.client_id = c.client_id" if has_assign else ""
    fallback = "coalesce(a.advisor_id, c.advisor_id)" if has_assign else "c.advisor_id"
    return f"""
    SELECT c.branch_id, coalesce(s.advisor_id, {fallback}) AS advisor_id,
           grouping(coalesce(s.advisor_id, {fallback})) = 1 AS branch_total,
           count(*) AS nps_n, count(*) FILTER (WHERE {promoter}) AS nps_promoters,
           count(*) FILTER (WHERE {detractor}) AS nps_detractors
    FROM kpi_satisfaction s JOIN clients c ON c.client_id = s.client_id {assign}
    WHERE s.taken_on BETWEEN {lit(m.start)} AND {lit(m.end)}
    GROUP BY GROUPING SETS ((c.branch_id), (c.branch_id, coalesce(s.advisor_id, {fallback})))"""


def _nps_counts(answers: dict, key: tuple, team_members: dict) -> dict:
    """The NPS counts of a row: the branch's or an advisor's as counted; a team's, its members' added up (the
    counts add, so a team's NPS is that of its members' answers together)."""
    branch, advisor, team = key
    if team is None:
        return answers.get((branch, advisor), {})
    out = {"nps_n": 0, "nps_promoters": 0, "nps_detractors": 0}
    for member in team_members.get(team, ()):
        for k in out:
            out[k] += int(answers.get((branch, member), {}).get(k) or 0)
    return out


def complaint_figures(rows, *, month: str, until: date | None = None,
                      teams: dict[str, int] | None = None) -> dict[tuple, dict]:
    """THE complaint figures of a month, from plain rows (the operational store's complaints): each a dict with
    branch (code), advisor (code of the advisor concerned, or None), received_on, deadline and resolved_on (None
    while unresolved). Returns {(branch, None, None): figures, (branch, advisor, None): figures} and, with `teams`
({advisor code: team}), {(branch, None, team): figures} over the team's advisors:

    - complaints_received: received between S and E;
    - complaints_sla_share: of the complaints resolved between S and E, the share resolved on or before their
      deadline (None when none was resolved);
    - complaints_overdue: received by E, not resolved by E, and with a deadline before E (open past the SLA at E).
    """
    m = Month.parse(month, until=until)
    acc: dict[tuple, dict] = {}
    teams = teams or {}
    for r in rows:
        received, deadline, resolved = r["received_on"], r["deadline"], r.get("resolved_on")
        keys = [(r["branch"], None, None)]
        if r.get("advisor"):
            keys.append((r["branch"], r["advisor"], None))
            if teams.get(r["advisor"]) is not None:
                keys.append((r["branch"], None, teams[r["advisor"]]))
        for key in keys:
            a = acc.setdefault(key, {"received": 0, "resolved": 0, "in_sla": 0, "overdue": 0})
            a["received"] += m.start <= received <= m.end
            if resolved is not None and m.start <= resolved <= m.end:
                a["resolved"] += 1
                a["in_sla"] += resolved <= deadline
            a["overdue"] += received <= m.end and (resolved is None or resolved > m.end) and deadline < m.end
    return {k: {"complaints_received": a["received"],
                "complaints_sla_share": round(a["in_sla"] / a["resolved"], 4) if a["resolved"] else None,
                "complaints_overdue": a["overdue"]} for k, a in acc.items()}


def kpis_month(con, *, month: str, cadence: dict[str, dict[str, int]] | None = None,
               assignments: pa.Table | None = None, teams: pa.Table | None = None, config: dict | None = None,
               until: date | None = None, satisfaction: pa.Table | None = None,
               plans: pa.Table | None = None, complaints: list[dict] | None = None) -> list[dict]:
    """The month's figures from the warehouse connection `con`: one row per branch (advisor None) and per branch
    and advisor, each {"branch", "advisor", "team", <FIGURE_NAMES>}. `cadence` is {branch code: {tier: days}}
    (defaults DEFAULT_CADENCE); `assignments` (client_id, advisor_id) overrides the back office's advisor with
    panhuo's; `teams` (advisor_id, team_id) adds one row per branch and team (team set, advisor None);
    `until` cuts the month short (month-to-date figures, the weekly mail). From the operational store:
    `satisfaction` (client_id, taken_on, score 0–10, advisor_id rated) gives the NPS; `plans` (client_id, seq,
    saved_on, review_on), one row per service-plan version, the VIP plan coverage (None when not given);
    `complaints` are the rows of complaint_figures (without them those figures are None: not recorded)."""
    m = Month.parse(month, until=until)
    cfg = config or load_config()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    has_assign = assignments is not None
    has_team = teams is not None
    if has_assign:
        con.register("kpi_assign", assignments)
    if has_team:
        con.register("kpi_team", teams)
    if plans is not None:
        con.register("kpi_plans", plans)
    if satisfaction is not None:
        con.register("kpi_satisfaction", satisfaction)
    branches = [r[0] for r in con.execute("SELECT DISTINCT branch_id FROM clients").fetchall()]
    rows = [(br, tier, int((cadence or {}).get(br, DEFAULT_CADENCE).get(tier, DEFAULT_CADENCE[tier])))
            for br in branches for tier in DEFAULT_CADENCE]
    values = ", ".join(f"('{br}', '{t}', {d})" for br, t, d in rows) or "(NULL, NULL, 0)"
    cadence_cte = f"SELECT * FROM (VALUES {values}) v(c_branch, c_tier, days)"
    per_client = _per_client(m, has_contacts="contacts" in tables, has_assign=has_assign, has_team=has_team, cfg=cfg,
                             has_plans=plans is not None)
    sql = ("WITH per_client AS (" + per_client + ")" + _aggregate(cadence_cte, has_team=has_team)
           ).replace("END_DATE", lit(m.end))
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        result = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        answers = {}
        if satisfaction is not None:
            cur = con.execute(_nps_sql(m, has_assign=has_assign))
            names = [d[0] for d in cur.description]
            for r in cur.fetchall():
                r = dict(zip(names, r, strict=True))
                answers[(r["branch_id"], None if r["branch_total"] else r["advisor_id"])] = r
    finally:
        for name, given in (("kpi_assign", has_assign), ("kpi_team", has_team), ("kpi_plans", plans is not None),
                            ("kpi_satisfaction", satisfaction is not None)):
            if given:
                con.unregister(name)
    members: dict = {}
    if has_team:
        for adv, team in zip(teams.column("advisor_id").to_pylist(), teams.column("team_id").to_pylist(),
                             strict=True):
            members.setdefault(team, []).append(adv)
    for r in result:
        r["has_plans"] = plans is not None
        key = (r["branch_id"], None if r["branch_total"] or r["team_total"] else r["advisor_id"],
               r["team_id"] if r["team_total"] else None)
        r.update({k: v for k, v in _nps_counts(answers, key, members).items() if k.startswith("nps_")})
    # Clients without an advisor (or a team) count in their branch, not in any advisor's (or team's) row.
    out = []
    for r in result:
        if r["branch_total"]:
            out.append({"branch": r["branch_id"], "advisor": None, "team": None, **_finish(r)})
        elif r["team_total"]:
            if r["team_id"] is not None:
                out.append({"branch": r["branch_id"], "advisor": None, "team": r["team_id"], **_finish(r)})
        elif r["advisor_id"] is not None:
            out.append({"branch": r["branch_id"], "advisor": r["advisor_id"], "team": None, **_finish(r)})
    out.sort(key=lambda r: (r["branch"], r["team"] is not None, r["advisor"] is not None, r["advisor"] or "",
                            r["team"] or ""))
    if complaints is not None:
        team_of = {} if not has_team else dict(zip(teams.column("advisor_id").to_pylist(),
                                                   teams.column("team_id").to_pylist(), strict=True))
        figures = complaint_figures(complaints, month=month, until=until, teams=team_of)
        none = {"complaints_received": 0, "complaints_sla_share": None, "complaints_overdue": 0}
        for r in out:
            r.update(figures.get((r["branch"], r["advisor"], r["team"]), none))
    return out


def event_figures(con, *, month: str, events: pa.Table, registrations: pa.Table,
                  config: dict | None = None, teams: dict[str, int] | None = None) -> list[dict]:
    """The month's client-event figures, one row per branch (advisor and team None), per branch and advisor, and
    with `teams` ({advisor code: team}) per branch and team (its members' clients together):

    - events_held: events held (not cancelled) that started in the month; an advisor's row counts the events
      where one of their clients had a place;
    - event_attendees: registered clients who were checked in; event_attendance_rate = attendees / clients
      registered (with a place; the waiting list and the cancelled are not counted);
    - event_reactivated: attendees who were dormant the day before the event (THE dormancy rule, dormant_sql) and
      traded within EVENT_REACTIVATION_DAYS days after it (the event's day excluded);
      event_reactivation_rate = event_reactivated / attendees who were dormant.

    `events`: (event BIGINT, branch_id, held_on DATE) of the month's held events; `registrations`: (event,
    client_id, advisor_id, attended BOOL) of their clients with a place. Trades, assets and opening dates come from
    the warehouse `con` (client_days, daily_assets, clients)."""
    m = Month.parse(month)
    cfg = config or load_config()
    con.register("kpi_ev", events)
    con.register("kpi_reg", registrations)
    try:
        rows = con.execute(f"""
        WITH r AS (
          SELECT g.event, e.branch_id, g.advisor_id, g.client_id, g.attended, e.held_on,
                 CAST(e.held_on - INTERVAL 1 DAY AS DATE) AS day_before
          FROM kpi_reg g JOIN kpi_ev e ON e.event = g.event
          WHERE e.held_on BETWEEN {lit(m.start)} AND {lit(m.end)}),
        f AS (
          SELECT r.*, c.open_date,
            (SELECT max(d.trade_date) FROM client_days d
              WHERE d.client_id = r.client_id AND d.trade_date <= r.day_before) AS last_trade,
            (SELECT arg_max(a.total_assets, a.date) FROM daily_assets a
              WHERE a.client_id = r.client_id AND a.date <= r.day_before) AS assets,
            EXISTS (SELECT 1 FROM client_days d WHERE d.client_id = r.client_id AND d.trade_date > r.held_on
                    AND d.trade_date <= r.held_on + INTERVAL {EVENT_REACTIVATION_DAYS} DAY) AS traded_after
          FROM r LEFT JOIN clients c ON c.client_id = r.client_id)
        SELECT event, branch_id, advisor_id, attended,
               {dormant_sql(last_trade='last_trade', opened='open_date', assets='assets', on='day_before',
                            config=cfg)} AS dormant_before, traded_after
        FROM f""").fetchall()
        held = con.execute(f"SELECT event, branch_id FROM kpi_ev WHERE held_on BETWEEN {lit(m.start)} AND "
                           f"{lit(m.end)}").fetchall()
    finally:
        con.unregister("kpi_ev")
        con.unregister("kpi_reg")
    groups: dict[tuple, dict] = {}

    def group(key):
        return groups.setdefault(key, {"events": set(), "registered": 0, "attended": 0, "dormant": 0,
                                       "reactivated": 0})

    teams = teams or {}
    for event, branch in held:
        group((branch, None, None))["events"].add(event)
    for event, branch, advisor, attended, dormant, traded in rows:
        keys = [(branch, None, None)]
        if advisor:
            keys.append((branch, advisor, None))
            if teams.get(advisor) is not None:
                keys.append((branch, None, teams[advisor]))
        for key in keys:
            g = group(key)
            g["events"].add(event)
            g["registered"] += 1
            if attended:
                g["attended"] += 1
                if dormant:
                    g["dormant"] += 1
                    g["reactivated"] += int(bool(traded))
    out = []
    for (branch, advisor, team), g in sorted(groups.items(), key=lambda kv: (
            kv[0][0], kv[0][2] is not None, kv[0][1] is not None, kv[0][1] or "", kv[0][2] or 0)):
        out.append({"branch": branch, "advisor": advisor, "team": team, "events_held": len(g["events"]),
                    "event_attendees": g["attended"],
                    "event_attendance_rate": round(g["attended"] / g["registered"], 4) if g["registered"] else None,
                    "event_reactivated": g["reactivated"],
                    "event_reactivation_rate": round(g["reactivated"] / g["dormant"], 4) if g["dormant"] else None})
    return out
