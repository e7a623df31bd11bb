"""Client events of the branch's client experience centre (客户体验中心): investor education, strategy meetings and
roadshows, seminars (解套实战班), client salons, live streams. Campaigns invite to them, the 360 page, the funnel and
the KPIs read who came, so they live in the shared core; the pages are the `events` feature app (docs/events.md).

Records are kept: a cancelled registration keeps its row and its status; an event is cancelled, never deleted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.master import Advisor, Branch, Client
from panhuo.clients.models.service import Task


class EventKind(models.TextChoices):
    EDUCATION = "education", _("Investor education")
    STRATEGY = "strategy", _("Strategy meeting or roadshow")
    SEMINAR = "seminar", _("Seminar (getting out of losses)")
    SALON = "salon", _("Client salon")
    LIVE = "live", _("Online live stream")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MaterialsReview(models.TextChoices):
    NONE = "", _("Not submitted")
    SUBMITTED = "submitted", _("Awaiting compliance review")
    APPROVED = "approved", _("Approved by compliance")
    REJECTED = "rejected", _("Rejected by compliance")


class Event(models.Model):
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("type"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=120)
    topic = models.TextField(_("topic"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("places; empty for no limit"))
    speaker = models.CharField(_("speaker"), max_length=120, blank=True)
    materials = models.TextField(_("materials"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED)
    # Compliance's review of the materials (marketing material is reviewed before use); a version is its text.
    review = models.CharField(_("review"), max_length=10, choices=MaterialsReview.choices, blank=True, default="")
    review_hash = models.CharField(max_length=64, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)   # attendance closed, follow-up tasks made

    class Meta:
        verbose_name = _("client event")
        verbose_name_plural = _("client events")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["branch", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d}"


class EventFile(models.Model):
    """A file handed out or shown at an event (slides, a handout); reviewed with the event's materials."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class RegistrationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationVia(models.TextChoices):
    ADVISOR = "advisor", _("By the advisor")
    LINK = "link", _("By the client, through a link")
    CAMPAIGN = "campaign", _("Invited by a campaign")
    DOOR = "door", _("At the door")


def new_code() -> str:
    """The registration's check-in code: 8 characters a person can read out and type (no 0/O, 1/I)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def new_key() -> str:
    return secrets.token_urlsafe(16)


class EventRegistration(models.Model):
    """One client at one event: invited, registered, on the waiting list or cancelled; checked in or not.
    `key` names the registration in signed links (never the client's code or a database id); `code` is what the
    door staff type when the QR code cannot be scanned."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="event_registrations")
    advisor = models.ForeignKey(Advisor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    via = models.CharField(_("registered"), max_length=10, choices=RegistrationVia.choices)
    campaign_id = models.PositiveIntegerField(null=True, blank=True)   # the inviting campaign (a feature's id)
    key = models.CharField(max_length=32, unique=True, default=new_key)
    code = models.CharField(max_length=8, unique=True, default=new_code)
    invited_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    reminder_task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [models.UniqueConstraint(fields=["event", "client"], name="one_registration_per_event")]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.client_id} {self.status}"

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None
