"""The consent ledger and the addresses messages go to: what every channel, campaign or not, must read before it
reaches a client. (Moved here from the campaigns app; the tables keep their names.)
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.master import Client
from panhuo.clients.models.service import Channel


class ConsentSource(models.TextChoices):
    REPLY = "reply", _("SMS reply (退订/TD)")
    LINK = "link", _("Unsubscribe link")
    ADVISOR = "advisor", _("Advisor's note")
    FORM = "form", _("Signed form")
    IMPORT = "import", _("Imported")


class ConsentRecord(models.Model):
    """Append-only ledger: the latest row per (client, channel) decides; no row means not refused."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("consent"))
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        db_table = "campaigns_consentrecord"   # moved from the campaigns app; the table keeps its name
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "channel", "-at"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.channel} {'yes' if self.granted else 'no'}"


class UnsubscribeKey(models.Model):
    """A random, meaningless key per client that unsubscribe links carry instead of the client's code: the
    payload of a signed token is base64, readable by anyone holding the link (services/consent.py)."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="unsubscribe_key")
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_unsubscribekey"   # moved from the campaigns app; the table keeps its name

    def __str__(self) -> str:
        return f"{self.client_id} unsubscribe key"


class ContactPoint(models.Model):
    """An address for a message channel the client master lacks (the canonical data has a phone, no email)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contact_points")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "campaigns_contactpoint"   # moved from the campaigns app; the table keeps its name
        constraints = [models.UniqueConstraint(fields=["client", "channel"], name="one_contact_point_per_channel")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.channel}"
