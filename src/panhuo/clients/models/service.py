"""The service records every feature builds on: tasks, contacts, the funnel, service plans, the 360 page's
series and the branch's service policy. They hang off a Client; reads go through clients.selectors so an advisor
reaches only their own. (Moved here from the workbench app so campaigns, the market pages and later features use
them without importing a sibling; the tables keep their names.)
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panhuo.clients.models.master import Advisor, Branch, Client

DEFAULT_PROTECTION_DAYS = 7
# Only assignments this recent are watched: an older one without a contact on record predates the contact
# history panhuo keeps (e.g. the book a branch had on the day it started), and flagging the whole book would
# bury the real new assignments.
PROTECTION_LOOKBACK_DAYS = 30
# Regular service by the snapshot's asset tier (analytics/segments.toml); a branch changes them in BranchPolicy.
DEFAULT_CADENCE_DAYS = {"vip": 30, "core": 90, "mass": 180}
DEFAULT_ONBOARDING_FIRST_DAYS = 7
DEFAULT_ONBOARDING_CHECK_DAYS = 30


class BranchPolicy(models.Model):
    """A branch's own service rules; a branch without a row uses the defaults."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="workbench_policy", primary_key=True)
    # A newly assigned client must be contacted within this many days, else the director is told.
    protection_days = models.PositiveSmallIntegerField(_("protection period (days)"),
                                                       default=DEFAULT_PROTECTION_DAYS)

    # Regular service (定期回访): a client of a tier not contacted for this many days gets a regular task.
    cadence_vip_days = models.PositiveSmallIntegerField(_("VIP contact cadence (days)"),
                                                        default=DEFAULT_CADENCE_DAYS["vip"])
    cadence_core_days = models.PositiveSmallIntegerField(_("core contact cadence (days)"),
                                                         default=DEFAULT_CADENCE_DAYS["core"])
    cadence_mass_days = models.PositiveSmallIntegerField(_("mass contact cadence (days)"),
                                                         default=DEFAULT_CADENCE_DAYS["mass"])
    # Onboarding: a new account is first contacted within this many days of opening, then checked at 30 days.
    onboarding_first_days = models.PositiveSmallIntegerField(_("onboarding: first contact within (days)"),
                                                             default=DEFAULT_ONBOARDING_FIRST_DAYS)
    onboarding_check_days = models.PositiveSmallIntegerField(_("onboarding: check at (days)"),
                                                             default=DEFAULT_ONBOARDING_CHECK_DAYS)

    class Meta:
        db_table = "workbench_branchpolicy"   # moved from the workbench app; the table keeps its name
        verbose_name = _("branch service policy")
        verbose_name_plural = _("branch service policies")

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.protection_days} d"


def protection_days_by_branch() -> dict[int, int]:
    """{branch pk: protection days} for every branch, defaults filled in (branches are few)."""
    days = dict(BranchPolicy.objects.values_list("branch_id", "protection_days"))
    return {pk: days.get(pk, DEFAULT_PROTECTION_DAYS) for pk in Branch.objects.values_list("pk", flat=True)}


def service_policy_by_branch() -> dict[int, dict]:
    """{branch pk: {"cadence": {tier: days}, "onboarding_first": d, "onboarding_check": d}}, defaults filled in."""
    rows = {r["branch_id"]: r for r in BranchPolicy.objects.values()}
    out = {}
    for pk in Branch.objects.values_list("pk", flat=True):
        r = rows.get(pk)
        out[pk] = {
            "cadence": ({"vip": r["cadence_vip_days"], "core": r["cadence_core_days"], "mass": r["cadence_mass_days"]}
                        if r else dict(DEFAULT_CADENCE_DAYS)),
            "onboarding_first": r["onboarding_first_days"] if r else DEFAULT_ONBOARDING_FIRST_DAYS,
            "onboarding_check": r["onboarding_check_days"] if r else DEFAULT_ONBOARDING_CHECK_DAYS,
        }
    return out


class TaskKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    PROTECTION = "protection", _("New assignment")
    CHURN_RISK = "churn_risk", _("High churn risk")
    DORMANT_REACHABLE = "dormant_reachable", _("Dormant, likely reachable")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    HANDOVER = "handover", _("Handover introduction")   # an approved allocation gave the advisor this client
    REGULAR = "regular", _("Regular service")
    ONBOARDING = "onboarding", _("New account onboarding")
    EVENT_REMINDER = "event_reminder", _("Event tomorrow: remind the client")
    EVENT_FOLLOW_UP = "event_follow_up", _("Event follow-up")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SNOOZED = "snoozed", _("Snoozed")
    HANDED_BACK = "handed_back", _("Handed back")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.SNOOZED)


class Task(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tasks")
    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    priority = models.IntegerField(_("priority"), default=0)
    reason_zh = models.CharField(max_length=255, blank=True)
    reason_en = models.CharField(max_length=255, blank=True)
    script_key = models.CharField(max_length=40, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    # A follow-up task comes from one contact; at most one task per contact.
    source_contact = models.OneToOneField("Contact", null=True, blank=True, on_delete=models.CASCADE,
                                          related_name="follow_up_task")
    created_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workbench_task"   # moved from the workbench app; the table keeps its name
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # Generation is idempotent: one open (or snoozed) task per client and kind.
            models.UniqueConstraint(fields=["client", "kind"], condition=models.Q(status__in=["open", "snoozed"]),
                                    name="one_open_task_per_client_kind"),
        ]
        indexes = [models.Index(fields=["advisor", "status", "-priority"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} ({self.status})"


class Channel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("contact channel", "Phone")   # 电话 (a call), not the 手机 number field
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    EVENT = "event", _("Event")
    WECHAT = "wechat", _("WeChat")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    INTERESTED = "interested", _("Interested")
    DECLINED = "declined", _("Declined")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")


class Contact(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    advisor = models.ForeignKey(Advisor, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        db_table = "workbench_contact"   # moved from the workbench app; the table keeps its name
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"]), models.Index(fields=["advisor", "at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} {self.at:%Y-%m-%d}"


class Track(models.TextChoices):
    NORMAL = "normal", _("Normal")
    DORMANT = "dormant", _("Dormant")


class Stage(models.TextChoices):
    A = "A", _("A watching")
    B = "B", _("B selecting")
    C = "C", _("C trading")
    D = "D", _("D deal")


class FunnelSource(models.TextChoices):
    CONTACT = "contact", _("Contact")
    TRADE = "trade", _("Trade")
    EVENT = "event", _("Event attended")


class FunnelEvent(models.Model):
    """History: each stage a client reached, when, and what moved it there."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="funnel_events")
    track = models.CharField(max_length=8, choices=Track.choices)
    stage = models.CharField(max_length=1, choices=Stage.choices)
    source = models.CharField(max_length=8, choices=FunnelSource.choices)
    at = models.DateTimeField()
    on = models.DateField(help_text="business date the stage was reached")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "workbench_funnelevent"   # moved from the workbench app; the table keeps its name
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.track} {self.stage} {self.on}"


class ClientFunnel(models.Model):
    """The client's current place in the funnel (the board reads this, not the history)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="funnel", primary_key=True)
    track = models.CharField(max_length=8, choices=Track.choices)
    stage = models.CharField(max_length=1, choices=Stage.choices)
    since = models.DateField()
    b_on = models.DateField(null=True, blank=True)   # when B was reached: C needs a trade after it
    c_on = models.DateField(null=True, blank=True)   # when C was reached: D is judged in the window after it

    class Meta:
        db_table = "workbench_clientfunnel"   # moved from the workbench app; the table keeps its name
        indexes = [models.Index(fields=["stage", "track"])]

    def __str__(self) -> str:
        return f"{self.track} {self.stage}"


class ClientSeries(models.Model):
    """Compact per-client time series for the 360 page, written by the daily pipeline (client_series.py).

    weeks: [[iso_week_end, total_assets, net_transfer_in_week], ...] for the last year
    transfers: [[iso_date, "in"|"out", amount], ...]   trade_days: [iso_date, ...]
    positions: [{symbol, name, quantity, cost_price, close_price, market_value, pnl, pnl_pct}, ...]
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="series", primary_key=True)
    as_of = models.DateField()
    weeks = models.JSONField(default=list)
    transfers = models.JSONField(default=list)
    trade_days = models.JSONField(default=list)
    positions = models.JSONField(default=list)

    class Meta:
        db_table = "workbench_clientseries"   # moved from the workbench app; the table keeps its name

    def __str__(self) -> str:
        return f"series {self.client_id} {self.as_of}"
