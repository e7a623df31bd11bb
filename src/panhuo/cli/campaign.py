"""`panhuo campaign …`: compliance lint of scripts, calibration, sending (one step, or every due step), outcomes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out, progress

campaign_app = typer.Typer(help="Reactivation campaigns: script compliance, measurement.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("lint")
def lint(
    file: Path = typer.Argument(..., help="Text file, one script per line (UTF-8 or GB18030)."),
    channel: str = typer.Option(None, help="sms: also require the sender's name and an opt-out line."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Check scripts for promises of returns or principal; exit 1 when any line is blocked.

    A line the rules pass but the statistical model finds promise-like is shown as 待复核 review (not blocked)."""
    from panhuo.outreach.lint import lint_script

    if not file.exists():
        fail(f"{file}: no such file / 文件不存在", as_json=as_json, code=2)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        r = lint_script(line, channel=channel)
        rows.append({"line": number, "text": line, "blocked": r.blocked, "ok": r.ok,
                     "findings": [{"category": f.category, "label_zh": f.label_zh, "label_en": f.label_en,
                                   "matched": f.matched, "rule": f.rule_id, "regulation": f.regulation,
                                   "start": f.start, "end": f.end} for f in r.findings],
                     "missing": r.missing, "reason_zh": r.reason("zh"), "reason_en": r.reason("en"),
                     "review": r.review, "review_score": round(r.review_score, 3)})
    bad = [r for r in rows if not r["ok"]]
    if as_json:
        finish({"file": str(file), "lines": len(rows), "blocked": len(bad), "results": rows}, as_json=True, summary="")
    else:
        table = Table("行 line", "结果 result", "原因 reason", "话术 script")
        for r in rows:
            verdict = ("[red]拦截 blocked[/]" if not r["ok"] else
                       "[yellow]待复核 review[/]" if r["review"] else "[green]通过 ok[/]")
            table.add_row(str(r["line"]), verdict,
                          f"{r['reason_zh']}\n{r['reason_en']}" if not r["ok"] else "", r["text"])
        out.print(table)
        out.print(f"{len(rows)} scripts checked, {len(bad)} blocked / 共检查 {len(rows)} 条，拦截 {len(bad)} 条")
    if bad:
        raise typer.Exit(1)


@campaign_app.command("calibrate")
def calibrate_cmd(
    runs: int = typer.Option(100, "--runs", help="Simulated campaigns to run."),
    looks: int = typer.Option(10, "--looks", help="Looks at each campaign's readout (e.g. daily)."),
    null: bool = typer.Option(False, "--null", help="No true effect: measure the false-positive rate."),
    on_trades: bool = typer.Option(False, "--on-trades", help="Measure outcomes on simulated trades with the "
                                   "report's own SQL (member_outcomes) instead of drawing them from the truth."),
    clients: int = typer.Option(600, help="Clients per simulated branch."),
    years: float = typer.Option(1.0, help="Years per simulated branch."),
    per_branch: int = typer.Option(1, "--per-branch", help="Campaigns per simulated branch (1: a new branch each)."),
    control_share: float = typer.Option(0.10, "--control-share", help="Holdout share."),
    target_share: float = typer.Option(0.5, "--target-share", help="Share of living clients each campaign targets."),
    seed: int = typer.Option(1, help="Seed of the whole calibration."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Check the anytime-valid readout against the simulator's truth over repeated looks: coverage at every look,
    the false-positive rate (--null), mean width and CUPED's variance reduction."""
    from panhuo.measure.calibration import calibrate_sequential
    from panhuo.measure.calibration_readout import calibrate_readout_on_trades

    if runs < 1 or per_branch < 1 or looks < 1:
        fail("--runs, --looks and --per-branch must be positive / 必须为正数", as_json=as_json, code=2)
    with progress(quiet=as_json) as bar:
        task = bar.add_task("campaigns / 模拟活动", total=runs)
        run = calibrate_readout_on_trades if on_trades else calibrate_sequential
        s = run(runs=runs, looks=looks, null=null, clients=clients, years=years, per_branch=per_branch,
                control_share=control_share, target_share=target_share, seed=seed,
                on_run=lambda k: bar.update(task, completed=k))
    fp = "" if s["false_positive_rate"] is None else (
        f", declared a success {s['false_positive_rate']:.1%} / 误判成功 {s['false_positive_rate']:.1%}")
    finish(s, as_json=as_json, summary=(
        f"{s['runs']} campaigns × {s['looks']} looks: the confidence sequence held the true lift at every look in "
        f"{s['coverage']:.1%}, mean width {s['mean_width']:.3f}, CUPED variance reduction "
        f"{s['cuped_variance_reduction']:.1%}{fp} / {s['runs']} 次模拟活动 × {s['looks']} 次查看：置信序列在每次查看时"
        f"都覆盖真实提升的比例 {s['coverage']:.1%}"))


@campaign_app.command("send")
def send_cmd(
    campaign_id: int = typer.Argument(..., help="Campaign number."),
    step: int = typer.Option(1, help="Step of the campaign's schedule; each client gets each step once."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Send one step by SMS / email (senders from PANHUO_SMS_* / PANHUO_SMTP_*); safe to re-run after a crash."""
    from panhuo.django_setup import require_migrated, setup

    setup()
    from panhuo.campaigns.services.send import campaign_send_step
    from panhuo.outreach.senders import senders_from_env

    senders = senders_from_env()
    if not senders:
        fail("no sender configured (PANHUO_SMS_URL or PANHUO_SMTP_HOST) / 未配置短信或邮件通道", as_json=as_json, code=2)
    require_migrated(as_json=as_json)      # the usage is checked first; this stops if `panhuo migrate` is due
    try:
        counts = campaign_send_step(campaign_id=campaign_id, step=step, senders=senders)
    except Exception as exc:  # unknown or unlaunched campaign: one clear line
        fail(str(exc), as_json=as_json)
    finish({"campaign": campaign_id, "step": step, **counts}, as_json=as_json,
           summary=" ".join(f"{k}={v}" for k, v in counts.items()))


@campaign_app.command("run-due")
def run_due_cmd(
    now: str = typer.Option(None, "--now", help="ISO date-time in local time, e.g. 2026-11-20T10:00; default now."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Send every due message step of every launched campaign; for cron, e.g. hourly in the contact hours:
    `0 9-19 * * * panhuo campaign run-due`. Safe to re-run: sent steps are not sent again, steps outside the
    contact hours wait for the next run."""
    from datetime import datetime

    from panhuo.django_setup import require_migrated, setup

    setup()
    from django.utils import timezone

    from panhuo.campaigns.services.schedule import campaigns_run_due
    from panhuo.outreach.senders import senders_from_env

    try:
        at = None if now is None else datetime.fromisoformat(now)
    except ValueError:
        fail(f"--now: not an ISO date-time: {now}", as_json=as_json, code=2)
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    senders = senders_from_env()
    if not senders:
        fail("no sender configured (PANHUO_SMS_URL or PANHUO_SMTP_HOST) / 未配置短信或邮件通道", as_json=as_json, code=2)
    require_migrated(as_json=as_json)      # the usage is checked first; this stops if `panhuo migrate` is due
    rows = campaigns_run_due(senders=senders, now=at)
    total = {k: sum(r.get(k, 0) for r in rows) for k in ("sent", "skipped", "capped", "failed", "already", "review",
                                                        "deferred")}
    total["errors"] = sum("error" in r for r in rows)     # a campaign whose step failed as a whole (logged)
    finish({"now": (at or timezone.now()).isoformat(), "steps": rows, **total}, as_json=as_json,
           summary=f"{len(rows)} due steps: " + " ".join(f"{k}={v}" for k, v in total.items())
           + f" / {len(rows)} 个到期步骤")


@campaign_app.command("outcomes")
def outcomes_cmd(
    as_of: str = typer.Option(None, "--as-of", help="YYYY-MM-DD; default today."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Recompute the outcome of every member of every launched campaign from the analytical store."""
    from datetime import date

    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)      # sets Django up; stops if `panhuo migrate` is due
    from django.utils import timezone

    from panhuo.campaigns.models import Campaign, CampaignStatus
    from panhuo.campaigns.services.outcomes import campaigns_outcomes_refresh
    from panhuo.warehouse import open_warehouse

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    launched = Campaign.objects.filter(status=CampaignStatus.LAUNCHED).count()
    with open_warehouse(read_only=True) as wh, progress(quiet=as_json) as bar:
        task = bar.add_task("campaigns / 活动", total=launched)
        done = campaigns_outcomes_refresh(wh=wh, as_of=day, on_campaign=lambda: bar.advance(task))
    finish({"as_of": day, "campaigns": len(done), "members": sum(done.values())}, as_json=as_json,
           summary=f"{len(done)} campaigns, {sum(done.values())} members measured as of {day} / "
                   f"已计算 {len(done)} 个活动的 {sum(done.values())} 名成员")


@campaign_app.command("holdout")
def holdout_cmd(
    rotate: bool = typer.Option(False, "--rotate", help="Draw a new period for every branch whose period has ended "
                                "(or that has none)."),
    force: bool = typer.Option(False, "--force", help="With --rotate: draw anew even where a period is running."),
    report: bool = typer.Option(False, "--report", help="The effect of all outreach: everyone else against the "
                                "holdout, per branch and period."),
    share: float = typer.Option(None, help="Share held out (default PANHUO_HOLDOUT_SHARE or 0.05)."),
    months: int = typer.Option(None, help="Months a period lasts (default PANHUO_HOLDOUT_MONTHS or 6)."),
    today: str = typer.Option(None, "--today", help="YYYY-MM-DD; default today."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """The branch's long-term holdout (长期对照组): a share of clients kept out of every campaign for a period."""
    from datetime import date

    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)
    from django.utils import timezone

    from panhuo.clients.holdout import holdout_due, holdout_readout, holdout_rotate
    from panhuo.clients.models import Branch, HoldoutDraw

    if not rotate and not report:
        fail("give --rotate or --report / 请指定 --rotate 或 --report", as_json=as_json, code=2)
    day = date.fromisoformat(today) if today else timezone.localdate()
    result: dict = {"today": day}
    if rotate:
        drawn = []
        for branch in Branch.objects.all():
            if force or holdout_due(branch_id=branch.pk, on=day):
                d = holdout_rotate(branch=branch, today=day, share=share, months=months)
                if d is not None:
                    drawn.append({"branch": branch.branch_id, "start": d.start, "end": d.end,
                                  "held_out": d.members.count(), "population": d.population})
        result["drawn"] = drawn
    if report:
        rows = []
        for d in HoldoutDraw.objects.select_related("branch").order_by("branch__branch_id", "-start"):
            r = holdout_readout(draw=d, as_of=day)
            row = {"branch": d.branch.branch_id, "start": d.start, "end": d.end, "held_out": r.held_out,
                   "rest": r.rest, "as_of": r.as_of}
            for name, lift in (("traded", r.active), ("came_back", r.reactivated)):
                row[name] = None if lift is None else {
                    "rest": round(lift.treatment_mean, 4), "holdout": round(lift.control_mean, 4),
                    "effect": round(lift.lift, 4), "ci": [round(lift.ci_low, 4), round(lift.ci_high, 4)]}
            rows.append(row)
        result["periods"] = rows
        if not as_json:
            table = Table("营业部 branch", "期间 period", "对照 held out", "其余 rest", "交易 traded (effect, 95%)",
                          "回归 came back (effect, 95%)")
            for row in rows:
                def cell(x):
                    return "—" if x is None else f"{x['effect']:+.1%} [{x['ci'][0]:+.1%}, {x['ci'][1]:+.1%}]"
                table.add_row(row["branch"], f"{row['start']} – {row['end']}", str(row["held_out"]),
                              str(row["rest"]), cell(row["traded"]), cell(row["came_back"]))
            out.print(table)
    drawn = result.get("drawn", [])
    finish(result, as_json=as_json,
           summary=(f"{len(drawn)} holdout periods drawn / 新抽取 {len(drawn)} 期长期对照组" if rotate else ""))
