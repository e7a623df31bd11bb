"""Campaigns, their members (treatment, control or excluded, with why), the consent ledger and send attempts.

Records are never deleted (retention >= 20 years): a member excluded at launch keeps its row and its reason,
a consent change is a new ledger row, a retried send reuses its attempt row through the idempotency key.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import Advisor, Branch, Channel, Client, Contact, Event, Task


class Measure(models.TextChoices):
    RESUMED = "resumed", _("Resumed trading within N days")
    AMOUNT = "amount", _("More traded amount than the span before")
    INSTRUMENTS = "instruments", _("More instruments than the span before")
    TRADING_DAYS = "trading_days", _("More trading days than the span before")
    COMMISSION = "commission", _("More commission than the span before")
    ASSETS = "assets", _("Assets retained or added")


# Measures that reward volume, frequency or commission: capped per client, never for C1-C2 (证券法 Art. 57).
CHURN_SENSITIVE = {Measure.AMOUNT, Measure.INSTRUMENTS, Measure.TRADING_DAYS, Measure.COMMISSION}
BINARY_MEASURES = {Measure.RESUMED, Measure.ASSETS}


class ProductRisk(models.TextChoices):
    R1 = "R1", "R1"
    R2 = "R2", "R2"
    R3 = "R3", "R3"
    R4 = "R4", "R4"
    R5 = "R5", "R5"


def default_step_days() -> list[int]:
    return [0]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", _("Closed")


class SeedSource(models.TextChoices):
    """Who picked the holdout's random seed. Only a seed drawn by the server at launch is beyond choosing: with a
    chosen seed one can try seeds until the split flatters the result (on a campaign with no effect the best of
    300 seeds shows +2.5 points of lift)."""

    SERVER = "server", _("Drawn by the server at launch")
    CHOSEN = "chosen", _("Chosen by a person")
    UNKNOWN = "unknown", _("Set before launch by an unknown hand")


# Shown on the report and in the export of a campaign whose split could have been picked.
SEED_WARNINGS = {
    SeedSource.CHOSEN: _("The control group's random seed was chosen by a person: the split, and so the result, "
                         "could have been picked."),
    SeedSource.UNKNOWN: _("The control group's random seed was set before launch and nobody recorded who chose it: "
                          "the split, and so the result, could have been picked."),
}


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    goal = models.TextField(_("goal"), blank=True)
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="campaigns")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The target: a saved segment, a list of {"field", "op", "value"} rules over the latest snapshot.
    rules = models.JSONField(_("target rules"), default=list, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True, help_text=_("at most this many members"))
    control_share = models.FloatField(_("control share"), default=0.10)
    # Cluster randomisation: whole advisors' books go to treatment or control (measure.holdout.assign_clusters),
    # and the readout's units are the advisors (measure.lift.lift_clustered, sequential.readout(cluster=...)).
    randomise_by_advisor = models.BooleanField(
        _("Randomise whole advisors' books"), default=False,
        help_text=_("each advisor's clients all in the campaign or all in the control group: use when an "
                    "advisor's calls would reach their control clients too; needs about 10 advisors per group"))
    # Drawn with `secrets` at launch (services/launch.py), never typed in the form; kept so the split can be recomputed.
    seed = models.BigIntegerField(_("holdout seed"), null=True, blank=True, editable=False)
    seed_source = models.CharField(_("seed source"), max_length=8, choices=SeedSource.choices, blank=True,
                                   editable=False)
    channels = models.JSONField(_("channels"), default=list)
    script = models.TextField(_("script"), blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    measure = models.CharField(_("success measure"), max_length=16, choices=Measure.choices, default=Measure.RESUMED)
    window_days = models.PositiveSmallIntegerField(_("measure window (days)"), default=30)
    measure_cap = models.FloatField(_("cap per client"), null=True, blank=True)
    product_risk = models.CharField(_("product risk level"), max_length=2, choices=ProductRisk.choices, blank=True)
    incentive_rule = models.TextField(_("advisor incentive"), blank=True)
    # The computable part of the rule (measure/incentive.py): per incremental reactivated client, capped.
    incentive_per_client = models.DecimalField(_("incentive per incremental client (CNY)"), max_digits=10,
                                               decimal_places=2, null=True, blank=True)
    incentive_cap = models.DecimalField(_("incentive cap per advisor (CNY)"), max_digits=12, decimal_places=2,
                                        null=True, blank=True)
    daily_cap_per_advisor = models.PositiveSmallIntegerField(_("tasks per advisor per day"), default=20)
    client_cap_contacts = models.PositiveSmallIntegerField(_("contacts per client at most"), default=2)
    client_cap_days = models.PositiveSmallIntegerField(_("in this many days"), default=30)
    # Message steps: step k is sent step_days[k-1] days after the start (`panhuo campaign run-due`).
    step_days = models.JSONField(_("message steps (days after start)"), default=default_step_days, blank=True,
                                 help_text=_("e.g. [0, 7]: step 1 on the start day, step 2 a week later"))
    # The builder's schedule: [{"day", "channel", "script"}]; channels, step_days and script are derived from it
    # (builder.schedule_fields), and a send uses the script of its own step and channel.
    schedule = models.JSONField(_("message schedule"), default=list, blank=True)
    # Targeting by uplift: a launched campaign whose randomised outcomes train the model that orders this one's tasks.
    uplift_from = models.ForeignKey("self", verbose_name=_("rank tasks by the uplift learnt from"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    # A client event the campaign invites to (docs/events.md): its treatment members are invited at launch, its
    # control group is not, so the event's effect is measured like any campaign's; attendance is an outcome.
    event = models.ForeignKey(Event, verbose_name=_("invite to the event"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    quiet_start = models.TimeField(_("contact from"), default=time(8, 0))
    quiet_end = models.TimeField(_("contact until"), default=time(20, 0))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    outcomes_as_of = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def step_scripts(self, step: int) -> dict[str, str]:
        """Channel → script of message step `step` (1-based): the schedule's rows on that step's day, or the
        campaign's one script on every channel for a campaign designed before the schedule."""
        days = self.step_days or [0]
        if not self.schedule or not 1 <= step <= len(days):
            return {c: self.script for c in self.channels}
        return {s["channel"]: s["script"] for s in self.schedule if s["day"] == days[step - 1]}

    @property
    def seed_warning(self):
        """Why this campaign's result may have been picked (a chosen or unexplained seed), or None."""
        return SEED_WARNINGS.get(self.seed_source)


class MemberGroup(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    CONTROL = "control", _("Control")
    EXCLUDED = "excluded", _("Excluded")


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="members")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="campaign_memberships")
    advisor = models.ForeignKey(Advisor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    group = models.CharField(_("group"), max_length=10, choices=MemberGroup.choices)
    stratum = models.CharField(max_length=80, blank=True)
    exclusion_reason = models.CharField(_("reason"), max_length=40, blank=True)
    exclusion_detail = models.CharField(max_length=200, blank=True)
    risk_level = models.CharField(max_length=2, blank=True)       # the client's level when the decision was made
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Outcomes, written in bulk from the analytical store.
    outcome = models.FloatField(null=True, blank=True)
    before = models.FloatField(null=True, blank=True)
    turnover_flag = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "client"], name="one_membership_per_campaign")]
        indexes = [models.Index(fields=["campaign", "group"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.client_id} {self.group}"

    @property
    def is_control(self) -> bool:
        return self.group == MemberGroup.CONTROL


class SendStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class SendAttempt(models.Model):
    """One message to one member at one campaign step. The key makes a retry after a crash a no-op."""

    idempotency_key = models.CharField(max_length=80, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sends")
    member = models.ForeignKey(CampaignMember, on_delete=models.PROTECT, related_name="sends")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    step = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=80, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.status}"


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting compliance review")
    APPROVED = "approved", _("Approved by compliance")
    REJECTED = "rejected", _("Rejected by compliance")


class ScriptReview(models.Model):
    """Compliance's review of one version of one script of a campaign (marketing material is reviewed before staff
    use it). A version is its text: the approval holds the SHA-256 of the text approved, so an edited script has
    a new hash and needs approval again. Rows are never changed back or deleted: a resubmission is a new row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="script_reviews")
    text = models.TextField()
    text_hash = models.CharField(max_length=64, db_index=True)
    channels = models.JSONField(default=list)          # the schedule's channels that use this text
    state = models.CharField(_("review"), max_length=10, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.text_hash[:8]} {self.state}"
