"""The monthly KPI snapshot (KpiMonth) from the warehouse, and the report's data. Definitions: analytics/kpis.py."""

from __future__ import annotations

import calendar
from datetime import date

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from panhuo.analytics.kpis import EVENT_FIGURES, Month, event_figures, kpis_month
from panhuo.clients.models import (
    Advisor,
    Branch,
    Client,
    Complaint,
    Event,
    EventRegistration,
    EventStatus,
    KpiMonth,
    QuestionnaireAnswer,
    RegistrationStatus,
    ServicePlanVersion,
    Team,
    service_policy_by_branch,
)


def _assignments() -> pa.Table:
    """panhuo's own assignment of each client (a reassignment made here outranks the back office's)."""
    rows = Client.objects.values_list("client_id", "advisor__advisor_id")
    ids, advisors = [], []
    for cid, adv in rows.iterator(chunk_size=20000):
        ids.append(cid)
        advisors.append(adv)
    return pa.table({"client_id": pa.array(ids, pa.string()), "advisor_id": pa.array(advisors, pa.string())})


def _teams() -> pa.Table:
    """Each advisor's team (pk), for the teams' figures."""
    rows = list(Advisor.objects.filter(team__isnull=False).values_list("advisor_id", "team_id"))
    return pa.table({"advisor_id": pa.array([r[0] for r in rows], pa.string()),
                     "team_id": pa.array([r[1] for r in rows], pa.int64())})


def _figures(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("branch", "advisor", "team")}


def _report_add(rep: dict, row: dict, *, advisor_names: dict, team_names: dict) -> None:
    """Put one computed or kept row into a branch's report: the branch's figures, a team's or an advisor's."""
    if row["team"] is not None:
        rep["teams"].append({"team": team_names.get(row["team"], ""), **_figures(row)})
    elif row["advisor"] is None:
        rep["branch"] = _figures(row)
    else:
        rep["advisors"].append({"advisor": row["advisor"], "name": advisor_names.get(row["advisor"], ""),
                                **_figures(row)})


def event_rows(m: Month) -> tuple[pa.Table, pa.Table]:
    """The month's held events and their clients with a place, as the rows analytics.kpis.event_figures reads.
    An event's day is its local start date; a registration's advisor is the one recorded when it was made."""
    events = [(e.pk, e.branch.branch_id, timezone.localdate(e.starts_at))
              for e in Event.objects.filter(status=EventStatus.HELD).select_related("branch")]
    events = [e for e in events if m.start <= e[2] <= m.end]
    regs = list(EventRegistration.objects.filter(event_id__in=[e[0] for e in events],
                                                 status=RegistrationStatus.REGISTERED)
                .values_list("event_id", "client__client_id", "advisor__advisor_id", "checked_in_at"))
    ev = pa.table({"event": pa.array([e[0] for e in events], pa.int64()),
                   "branch_id": pa.array([e[1] for e in events], pa.string()),
                   "held_on": pa.array([e[2] for e in events], pa.date32())})
    rg = pa.table({"event": pa.array([r[0] for r in regs], pa.int64()),
                   "client_id": pa.array([r[1] for r in regs], pa.string()),
                   "advisor_id": pa.array([r[2] for r in regs], pa.string()),
                   "attended": pa.array([r[3] is not None for r in regs], pa.bool_())})
    return ev, rg


def _add_event_figures(con, rows: list[dict], m: Month) -> None:
    """Put the month's client-event figures (analytics.kpis.event_figures) into the branch, team and advisor
    rows."""
    ev, rg = event_rows(m)
    teams = dict(Advisor.objects.filter(team__isnull=False).values_list("advisor_id", "team_id"))
    by_key = {(r["branch"], r["advisor"], r["team"]): r
              for r in event_figures(con, month=m.label, events=ev, registrations=rg, teams=teams)}
    for r in rows:
        found = by_key.get((r["branch"], r["advisor"], r.get("team")), {})
        for name in EVENT_FIGURES:
            r[name] = found.get(name, None if name.endswith("_rate") else 0)


def _satisfaction() -> pa.Table:
    """Every satisfaction answer kept (the client's own, through their link, or taken by independent staff:
    surveys.services refuses the rest): client, date, the 0–10 recommend score, and the advisor it rates (the
    contact's advisor; none: the client's, in kpis_month)."""
    rows = list(QuestionnaireAnswer.objects.filter(kind="satisfaction").order_by("id").values_list(
        "client__client_id", "taken_on", "total", "contact__advisor__advisor_id"))
    return pa.table({"client_id": pa.array([r[0] for r in rows], pa.string()),
                     "taken_on": pa.array([r[1] for r in rows], pa.date32()),
                     "score": pa.array([r[2] for r in rows], pa.int32()),
                     "advisor_id": pa.array([r[3] for r in rows], pa.string())})


def _plans() -> pa.Table:
    """Every service-plan version: client, order, the day it was saved, its review date."""
    rows = list(ServicePlanVersion.objects.order_by("id").values_list("plan__client__client_id", "id", "at",
                                                                       "review_on"))
    return pa.table({"client_id": pa.array([r[0] for r in rows], pa.string()),
                     "seq": pa.array([r[1] for r in rows], pa.int64()),
                     "saved_on": pa.array([timezone.localdate(r[2]) for r in rows], pa.date32()),
                     "review_on": pa.array([r[3] for r in rows], pa.date32())})


def _operational() -> dict:
    return {"assignments": _assignments(), "teams": _teams(), "satisfaction": _satisfaction(), "plans": _plans(),
            "complaints": _complaints()}


def _complaints() -> list[dict]:
    """The complaints as complaint_figures reads them (dates in local time); few rows, so all of them."""
    rows = Complaint.objects.values_list("branch__branch_id", "advisor__advisor_id", "received_at", "deadline",
                                         "resolved_at")
    return [{"branch": b, "advisor": a, "received_on": timezone.localdate(rec), "deadline": dl,
             "resolved_on": timezone.localdate(res) if res else None} for b, a, rec, dl, res in rows]


def kpi_snapshot(*, wh, month: str) -> dict:
    """Compute the month's figures and keep them (KpiMonth): one row per branch and per advisor. Running it again
    replaces that month's rows, so it is idempotent; other months are never touched."""
    m = Month.parse(month)
    policy = service_policy_by_branch()
    codes = dict(Branch.objects.values_list("pk", "branch_id"))
    cadence = {codes[pk]: p["cadence"] for pk, p in policy.items()}
    rows = kpis_month(wh.con, month=m.label, cadence=cadence, **_operational())
    _add_event_figures(wh.con, rows, m)
    branches = {b.branch_id: b for b in Branch.objects.all()}
    advisors = {a.advisor_id: a for a in Advisor.objects.all()}
    teams = {t.pk: t for t in Team.objects.all()}
    keep = []
    for r in rows:
        branch = branches.get(r["branch"])
        advisor = advisors.get(r["advisor"]) if r["advisor"] else None
        team = teams.get(r["team"]) if r["team"] is not None else None
        if branch is None or (r["advisor"] and advisor is None) or (r["team"] is not None and team is None):
            continue   # not (yet) in the client master: the branch total still counts its clients
        keep.append(KpiMonth(branch=branch, advisor=advisor, team=team, month=m.start, figures=_figures(r)))
    with transaction.atomic():
        KpiMonth.objects.filter(month=m.start).delete()
        KpiMonth.objects.bulk_create(keep, batch_size=1000)
    return {"month": m.label, "branches": sum(1 for k in keep if k.advisor is None and k.team is None),
            "advisors": sum(1 for k in keep if k.advisor is not None),
            "teams": sum(1 for k in keep if k.team is not None)}


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def kpi_report(*, month: str, branch: str | None = None) -> list[dict]:
    """The kept figures of a month: per branch {"month", "branch", "branch_name", "figures", "advisors": [...]}."""
    m = Month.parse(month)
    qs = KpiMonth.objects.filter(month=m.start).select_related("branch", "advisor", "team").order_by(
        "branch__branch_id", "advisor__advisor_id", "team__name")
    if branch:
        qs = qs.filter(branch__branch_id=branch)
    out: dict[str, dict] = {}
    for k in qs:
        rep = out.setdefault(k.branch.branch_id, {"month": m.label, "branch_code": k.branch.branch_id,
                                                  "branch_name": k.branch.name, "branch": {}, "advisors": [],
                                                  "teams": []})
        row = {"advisor": k.advisor.advisor_id if k.advisor else None, "team": k.team_id, **k.figures}
        _report_add(rep, row, advisor_names={row["advisor"]: k.advisor.name} if k.advisor else {},
                    team_names={k.team_id: k.team.name} if k.team else {})
    return list(out.values())


def _recipients(branch: Branch) -> list[str]:
    from panhuo.accounts.models import Role, User

    return sorted(set(User.objects.filter(branch=branch, is_active=True, role__in=[Role.MANAGER, Role.DIRECTOR])
                      .exclude(email="").values_list("email", flat=True)))


def kpi_report_send(*, wh, period: str, today: date) -> list[dict]:
    """Mail each branch's report (Excel and PDF attached) to its manager and director. `month`: the last complete
    month, from the kept snapshot (computed first if missing); `week`: this month to date, computed now."""
    from django.core.mail import EmailMessage

    from panhuo.audit.services import audit_record
    from panhuo.kpis.export import report_pdf, report_xlsx

    if period == "month":
        month = Month.parse(f"{today:%Y-%m}").previous().label
        if not KpiMonth.objects.filter(month=Month.parse(month).start).exists():
            kpi_snapshot(wh=wh, month=month)
        reports = kpi_report(month=month)
        subject = "{name} {month} 经营指标月报 / monthly figures"
    elif period == "week":
        month = f"{today:%Y-%m}"
        reports = kpi_report_live(wh=wh, month=month, until=today)
        subject = "{name} {month} 月初至今经营指标（周报）/ month to date (weekly)"
    else:
        raise ValueError("period is week or month")
    sent = []
    for rep in reports:
        branch = Branch.objects.get(branch_id=rep["branch_code"])
        to = _recipients(branch)
        if not to:
            sent.append({"branch": branch.branch_id, "to": [], "skipped": "no manager or director with an email"})
            continue
        mail = EmailMessage(subject=subject.format(name=branch.name, month=rep["month"]), to=to,
                            body=f"{branch.name} {rep['month']}：经营指标见附件（Excel、PDF）。\n"
                                 f"The branch's figures for {rep['month']} are attached (Excel, PDF).")
        stem = f"kpis-{branch.branch_id}-{rep['month']}"
        mail.attach(f"{stem}.xlsx", report_xlsx([rep]),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        mail.attach(f"{stem}.pdf", report_pdf([rep]), "application/pdf")
        mail.send()
        audit_record(user=None, action="report.send", object_type="branch", object_ids=[branch.branch_id],
                     detail={"period": period, "month": rep["month"], "to": len(to)})
        sent.append({"branch": branch.branch_id, "to": to, "month": rep["month"]})
    return sent


def kpi_report_live(*, wh, month: str, until: date | None = None, branch: str | None = None) -> list[dict]:
    """Like kpi_report, computed now and not kept (month-to-date figures)."""
    policy = service_policy_by_branch()
    codes = dict(Branch.objects.values_list("pk", "branch_id"))
    rows = kpis_month(wh.con, month=month, cadence={codes[pk]: p["cadence"] for pk, p in policy.items()},
                      until=until, **_operational())
    _add_event_figures(wh.con, rows, Month.parse(month, until=until))
    names = dict(Branch.objects.values_list("branch_id", "name"))
    advisors = dict(Advisor.objects.values_list("advisor_id", "name"))
    teams = dict(Team.objects.values_list("pk", "name"))
    out: dict[str, dict] = {}
    for r in rows:
        if branch and r["branch"] != branch:
            continue
        rep = out.setdefault(r["branch"], {"month": month, "branch_code": r["branch"],
                                           "branch_name": names.get(r["branch"], r["branch"]), "branch": {},
                                           "advisors": [], "teams": []})
        _report_add(rep, r, advisor_names=advisors, team_names=teams)
    return list(out.values())


HISTORY_MONTHS = 24


def kpis_daily(*, wh, as_of: date) -> dict:
    """The daily run's step: keep every complete month of the last HISTORY_MONTHS that has no kept figures yet
    (the first run after a month ends keeps that month; a new installation fills its history once), and at
    month end the month itself. Months before the data begins are skipped."""
    first = wh.con.execute("SELECT min(date) FROM daily_assets").fetchone()[0]
    if first is None:
        return {"kept": []}
    current = Month.parse(f"{as_of:%Y-%m}")
    have = set(KpiMonth.objects.filter(advisor__isnull=True, team__isnull=True)
               .values_list("month", flat=True).distinct())
    todo = [current.label] if is_month_end(as_of) else []
    for n in range(1, HISTORY_MONTHS + 1):
        m = current.previous(n)
        if m.start <= first:
            break
        if m.start not in have:
            todo.append(m.label)
    for label in sorted(todo):
        kpi_snapshot(wh=wh, month=label)
    return {"kept": sorted(todo)}
