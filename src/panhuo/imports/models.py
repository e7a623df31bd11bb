"""The record of every import batch: who, when, which files (with SHA-256), rows read/loaded/rejected,
control totals, problems (values already masked) and the day-replacement log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    LOADED = "loaded", _("Loaded")
    UNCHANGED = "unchanged", _("Already loaded")
    REJECTED = "rejected", _("Rejected")
    INTERRUPTED = "interrupted", _("Interrupted")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    key = models.CharField(_("batch key"), max_length=40, unique=True)
    profile = models.CharField(_("profile"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="import_batches")
    username = models.CharField(_("user name"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    quarantine = models.BooleanField(_("quarantine"), default=False)
    business_date = models.DateField(_("business date"), null=True, blank=True)
    files = models.JSONField(_("files"), default=list, blank=True)
    rows_read = models.BigIntegerField(_("rows read"), default=0)
    rows_loaded = models.BigIntegerField(_("rows loaded"), default=0)
    rows_rejected = models.BigIntegerField(_("rows rejected"), default=0)
    rows_duplicate = models.BigIntegerField(_("duplicate rows"), default=0)
    problem_count = models.IntegerField(_("problems"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    control_totals = models.JSONField(_("control totals"), default=dict, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    quarantine_file = models.CharField(_("quarantine file"), max_length=500, blank=True)
    report_file = models.CharField(_("problem report"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} {self.status}"
