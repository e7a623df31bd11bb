"""The branch's daily run, in the order it must happen. Used by `panhuo run-daily` and `panhuo demo`.

0. the advisors' contacts copied into the warehouse (workbench.services.contacts_export), and the clients'
   personality self-assessments (surveys.services.questionnaires_export), when storing
1. the analytics pipeline over the warehouse: features, segments, dormancy, P(alive), churn risk
   (panhuo.analytics.pipeline.analytics_run)
2. the per-client snapshot into the operational store (clients.services.snapshots_write)
3. the workbench: 360 series, funnel C/D from trades, today's tasks (workbench.services.daily)
4. the market: regime, pools, model report, switch drafts (marketweb.services.market_daily)
5. campaigns: the outcome of every member of every launched campaign (campaigns.services.outcomes)
6. complaints still open after their deadline escalated to the director and compliance
   (complaints.services.complaints_escalate_due), before the figures count them
7. the branch's monthly figures: every complete month not kept yet, and the month itself at month end
   (kpis.services.kpis_daily)
7. client events: a reminder task on the advisor's Today for each client registered for an event starting
   tomorrow, by the calendar (events.services.event_reminders)

Steps 2–5 write the operational store, so Django must be set up before calling `daily_run`; `panhuo run-daily`
first finishes any import a crash left half-done (`imports_settle`) and refuses to start while an import runs.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa


@dataclass
class DailyOutcome:
    as_of: date
    result: object                 # panhuo.analytics.pipeline.AnalyticsResult: table, BG/NBD fit, churn report
    snapshots_written: int = 0
    workbench: dict = field(default_factory=dict)
    market: dict = field(default_factory=dict)
    market_skipped: str = ""
    campaigns: dict = field(default_factory=dict)   # campaign id -> members measured
    contacts: dict = field(default_factory=dict)    # the contacts copied into the warehouse
    kpis: dict = field(default_factory=dict)        # the months whose figures were kept
    complaints: dict = field(default_factory=dict)  # the complaints escalated past their deadline
    questionnaires: dict = field(default_factory=dict)  # the personality answers copied into the warehouse
    event_reminders: int = 0                        # reminder tasks for tomorrow's events

    @property
    def table(self) -> pa.Table:
        return self.result.table


def imports_settle() -> int:
    """Before the day's run: finish the imports a crash cut off after the analytical store committed (their client
    master and record), under the import lock, so the day's scores and tasks never run on a client master that
    lags the warehouse. Returns how many were finished. Raises ImportLocked while an import runs and StoreBusy
    while another job holds the store: the run must not start then."""
    from panhuo.imports.services import imports_recover

    return imports_recover(owner="run-daily")


STAGES = ("contacts_copy", "questionnaires_copy", "analytics", "snapshots", "series", "funnel", "tasks", "market",
          "campaigns", "complaints", "kpis", "event_reminders")


@contextmanager
def _timed(timings: dict | None, stage: str):
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[stage] = time.perf_counter() - t0


def daily_run(*, wh, as_of: date, engine="duckdb", progress=None, store: bool = True,
              timings: dict | None = None) -> DailyOutcome:
    """The branch's daily run as of `as_of`, steps 0–7 above; with `store=False` only the analytics pipeline
    (step 1), which writes nothing. A `timings` dict receives the seconds of each stage run, by the names in
    STAGES (bench/bench_day.py reads them)."""
    from panhuo.analytics.pipeline import analytics_run

    contacts = answers = {}
    if store:
        with _timed(timings, "contacts_copy"):   # before the analytics: contact recency is a churn input
            contacts = _contacts_copy(wh)
        with _timed(timings, "questionnaires_copy"):   # a self-assessed personality replaces the inferred one
            answers = _questionnaires_copy(wh)
    with _timed(timings, "analytics"):
        result = analytics_run(wh, as_of=as_of, engine=engine, progress=progress)
    outcome = DailyOutcome(as_of=as_of, result=result, contacts=contacts, questionnaires=answers)
    if not store:
        return outcome
    from panhuo.campaigns.services.outcomes import campaigns_outcomes_refresh
    from panhuo.clients.services import snapshots_write
    from panhuo.complaints.services import complaints_escalate_due
    from panhuo.kpis.services import kpis_daily
    from panhuo.marketweb.services import market_daily
    from panhuo.workbench.services.daily import workbench_daily

    with _timed(timings, "snapshots"):
        outcome.snapshots_written = snapshots_write(table=outcome.table, as_of=as_of)
    outcome.workbench = workbench_daily(wh=wh, as_of=as_of, timings=timings)
    with _timed(timings, "market"):
        try:
            outcome.market = market_daily(wh=wh, as_of=as_of)
        except ValueError as exc:   # no index bars or too short a history: the client work still stands
            outcome.market_skipped = str(exc)
    with _timed(timings, "campaigns"):
        outcome.campaigns = campaigns_outcomes_refresh(wh=wh, as_of=as_of)
    with _timed(timings, "complaints"):
        outcome.complaints = complaints_escalate_due(as_of=as_of)
    with _timed(timings, "kpis"):
        outcome.kpis = kpis_daily(wh=wh, as_of=as_of)
    with _timed(timings, "event_reminders"):
        outcome.event_reminders = _event_reminders()
    return outcome


def _event_reminders() -> int:
    """By the calendar, not the data's date: the run goes on the morning after the data's day."""
    from django.utils import timezone

    from panhuo.events.services import event_reminders

    return event_reminders(today=timezone.localdate())


def _questionnaires_copy(wh) -> dict:
    from panhuo.surveys.services import questionnaires_export

    return questionnaires_export(wh=wh)


def _contacts_copy(wh) -> dict:
    from panhuo.workbench.services.contacts_export import contacts_export

    return contacts_export(wh=wh)
