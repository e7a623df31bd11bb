from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.audit.chain import GENESIS


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit event, or to write one around audit_record."""


class AuditEventQuerySet(models.QuerySet):
    """Reads only: bulk writes would bypass the hash chain, updates and deletes would break it."""

    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("the audit trail is append-only")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("audit events are written one by one through audit_record")

    def _raw_delete(self, using):
        raise AppendOnlyError("the audit trail is append-only")


class AuditEvent(models.Model):
    """Who saw or changed which client data, when, and with what outcome.

    Append-only, and chained: `seq` numbers the events without gaps, `hash` is sha256 over the event's fields,
    its seq and the previous event's hash (audit.chain), so `panhuo audit verify` finds any later edit.
    Written only by audit.services.audit_record. The ORM refuses updates and deletes, and database triggers
    (migration 0004) refuse them below the ORM. On SQLite a migration that rebuilds this table drops its
    triggers: such a migration must create them again (audit.triggers); tests/audit check that they hold.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # PROTECT: deleting a user would rewrite their events (and break the chain); deactivate them instead.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(_("user"), max_length=150)
    role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_ids = models.JSONField(_("objects"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, default="ok")
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        base_manager_name = "objects"     # Django's internal writes go through the refusing queryset too
        # The page and the CLI filter by user, newest first. (An index is added without rebuilding the table,
        # so the triggers stay in place on SQLite.)
        indexes = [models.Index(fields=["username", "-seq"], name="audit_event_user_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only")
        if self.seq is None or not self.hash:
            raise AppendOnlyError("audit events are written through panhuo.audit.services.audit_record")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")


class AuditChainHead(models.Model):
    """The one row (pk 1) that says where the chain ends. An append locks it (select_for_update) for the rest
    of the writing transaction, so appends queue in commit order; a rolled-back transaction rolls back its
    events and the head together, which leaves no gap. verify compares it with the last event, so events cut
    off the end of the trail are found too."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"audit chain head: seq {self.seq}"
