"""The operational client master: branches, advisors, clients and their latest per-client results.

Columns follow the canonical tables of DESIGN.md (docs/data-model.md); the import keeps them in step
with the analytical store.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    branch_id = models.CharField(_("branch code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["branch_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch_id})"


class AdvisorLevel(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    SENIOR = "senior", _("Senior")
    PRINCIPAL = "principal", _("Principal")


class Team(models.Model):
    """A group of a branch's advisors under a team leader (团队): the KPI page and report show its figures beside
    the branch's and each advisor's. Set up by the administrator (the admin site); an advisor is in one team."""
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=64)
    leader = models.ForeignKey("Advisor", verbose_name=_("team leader"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="teams_led")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="one_team_name_per_branch")]

    def __str__(self) -> str:
        return self.name


class Advisor(models.Model):
    advisor_id = models.CharField(_("advisor code"), max_length=32, unique=True)
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="advisors")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=AdvisorLevel.choices, default=AdvisorLevel.JUNIOR)
    region = models.CharField(_("region"), max_length=64, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (clients)"), default=300)
    specialties = models.CharField(_("specialties"), max_length=255, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("advisor")
        verbose_name_plural = _("advisors")
        ordering = ["advisor_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.advisor_id})"


class ClientType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    INSTITUTION = "institution", _("Institution")


class RiskLevel(models.TextChoices):
    C1 = "C1", _("C1 conservative")
    C2 = "C2", _("C2 cautious")
    C3 = "C3", _("C3 balanced")
    C4 = "C4", _("C4 growth")
    C5 = "C5", _("C5 aggressive")


class ClientStatus(models.TextChoices):
    """The account's status in the back office (柜台系统), which owns it."""
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")
    CLOSED = "closed", _("Closed")


class DecisionSource(models.TextChoices):
    """Who made the current value of a field that both the back office and panhuo may set."""
    BACKOFFICE = "backoffice", _("Back office")
    PANHUO = "panhuo", _("Decided in panhuo")


class Client(models.Model):
    """One client. Each field has one owner (docs/data-model.md, "Who owns a field"; clients.ownership):
    identity and account facts belong to the back office and follow every import; the advisor assignment once
    changed in panhuo and a do-not-contact recorded in panhuo belong to panhuo and no import undoes them."""

    client_id = models.CharField(_("client code"), max_length=32, unique=True)
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="clients")
    advisor = models.ForeignKey(
        Advisor, verbose_name=_("advisor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="clients"
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=128)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=8, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    open_date = models.DateField(_("account opened"), null=True, blank=True)
    client_type = models.CharField(_("client type"), max_length=16, choices=ClientType.choices,
                                   default=ClientType.INDIVIDUAL)
    # NULL means "never assessed", which suitability must tell apart from any level.
    risk_level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel.choices, null=True,  # noqa: DJ001
                                  blank=True)
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    # Where the current level comes from: the back office's file or an assessment taken in panhuo (the latest
    # dated assessment wins either way; clients.ownership, clients.suitability).
    risk_source = models.CharField(_("risk level from"), max_length=10, blank=True, choices=DecisionSource.choices)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    status = models.CharField(_("account status"), max_length=8, choices=ClientStatus.choices,
                              default=ClientStatus.ACTIVE)
    # Ownership bookkeeping (clients.ownership): who made the current assignment and do-not-contact, and what
    # the back office last said, so that a later change on its side is seen as a conflict, not applied.
    assignment_source = models.CharField(_("assignment decided by"), max_length=10, choices=DecisionSource.choices,
                                         default=DecisionSource.BACKOFFICE)
    backoffice_advisor_code = models.CharField(_("advisor in the back office"), max_length=32, blank=True)
    do_not_contact_source = models.CharField(_("do-not-contact decided by"), max_length=10, blank=True,
                                             choices=DecisionSource.choices)
    do_not_contact_since = models.DateTimeField(_("do not contact since"), null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["client_id"]
        indexes = [models.Index(fields=["branch", "advisor"]), models.Index(fields=["advisor", "client_id"])]

    def __str__(self) -> str:
        return self.client_id


class Lifecycle(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    DECLINING = "declining", _("Declining")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class ClientSnapshot(models.Model):
    """One client's daily-pipeline results as of a date. History is kept; `is_latest` marks the current row.

    The web app reads these compact rows and never scans the facts in the analytical store.
    """

    # No index of its own: the unique (client, as_of) index below starts with the client and serves every
    # lookup by client; a second one only cost each day's million inserts and unmarkings.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    as_of = models.DateField(_("as of"))
    is_latest = models.BooleanField(default=True)
    total_assets = models.DecimalField(_("total assets"), max_digits=18, decimal_places=2, default=0)
    cash = models.DecimalField(_("cash"), max_digits=18, decimal_places=2, default=0)
    market_value = models.DecimalField(_("market value"), max_digits=18, decimal_places=2, default=0)
    last_trade_date = models.DateField(_("last trade"), null=True, blank=True)
    days_since_last_trade = models.IntegerField(_("days since last trade"), null=True, blank=True)
    trades_90d = models.IntegerField(_("trades in 90 days"), default=0)
    commission_365d = models.DecimalField(_("commission in 365 days"), max_digits=16, decimal_places=2, default=0)
    tier = models.CharField(_("asset tier"), max_length=16, blank=True)
    value_tier = models.CharField(_("commission contribution"), max_length=16, blank=True)
    position_band = models.CharField(_("position level"), max_length=16, blank=True)
    profit_state = models.CharField(_("profit state"), max_length=16, blank=True)
    trading_style = models.CharField(_("trading style"), max_length=16, blank=True)
    personality = models.CharField(_("trading personality"), max_length=16, blank=True)
    personality_inferred = models.BooleanField(_("personality inferred"), default=True)
    is_chinaclear_dormant = models.BooleanField(_("ChinaClear dormant account"), default=False)
    lifecycle = models.CharField(_("lifecycle"), max_length=16, choices=Lifecycle.choices, blank=True)
    is_dormant = models.BooleanField(_("dormant"), default=False)
    p_alive = models.FloatField(_("P(alive)"), null=True, blank=True)
    expected_trading_days_90d = models.FloatField(_("expected trading days (90 d)"), null=True, blank=True)
    churn_risk = models.FloatField(_("churn risk"), null=True, blank=True)
    churn_reasons = models.JSONField(_("churn reasons"), default=list, blank=True)
    features = models.JSONField(_("features"), default=dict, blank=True)

    class Meta:
        verbose_name = _("client snapshot")
        verbose_name_plural = _("client snapshots")
        constraints = [
            models.UniqueConstraint(fields=["client", "as_of"], name="one_snapshot_per_client_and_day"),
            models.UniqueConstraint(
                fields=["client"], condition=models.Q(is_latest=True), name="one_latest_snapshot_per_client"
            ),
        ]
        # The pages read the latest rows only, so their indexes hold only those (partial): they stay the size of
        # the client book however long the history grows, and the daily unmarking of yesterday's rows (a new
        # row version each) adds nothing to them.
        indexes = [models.Index(fields=[f], condition=models.Q(is_latest=True), name=f"snapshot_latest_{f}")
                   for f in ("lifecycle", "tier", "churn_risk")]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.as_of}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("To settle")
    KEPT = "kept", _("Kept the assignment made in panhuo")
    ACCEPTED = "accepted", _("Took the back office's assignment")


class AssignmentConflict(models.Model):
    """The back office changed a client's advisor after panhuo had reassigned the client.

    The import keeps panhuo's assignment and files one of these for a director to settle (keep it, or take the
    back office's); one open conflict per client, updated if the back office changes its mind again."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="assignment_conflicts")
    kept_advisor_code = models.CharField(_("advisor kept (panhuo)"), max_length=32, blank=True)
    backoffice_advisor_code = models.CharField(_("advisor in the back office"), max_length=32, blank=True)
    batch_key = models.CharField(_("import batch"), max_length=64, blank=True)
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=ConflictStatus.choices,
                              default=ConflictStatus.OPEN)
    settled_by = models.CharField(_("settled by"), max_length=150, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment conflict")
        verbose_name_plural = _("assignment conflicts")
        ordering = ["-detected_at", "id"]
        constraints = [models.UniqueConstraint(fields=["client"], condition=models.Q(status="open"),
                                               name="one_open_assignment_conflict_per_client")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.kept_advisor_code} / {self.backoffice_advisor_code} ({self.status})"
