from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Investment advisor")
    DIRECTOR = "director", _("Service director")
    MANAGER = "manager", _("Branch manager")
    COMPLIANCE = "compliance", _("Compliance")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A member of the branch's staff. The role decides which clients they reach (clients.selectors) and what they
    may do there (accounts.permissions)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ADVISOR)
    branch = models.ForeignKey(
        "clients.Branch", verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    advisor = models.OneToOneField(
        "clients.Advisor", verbose_name=_("advisor record"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="advisor") | models.Q(advisor__isnull=False) | models.Q(is_superuser=True),
                name="advisor_user_has_advisor",
            ),
        ]

    @property
    def sees_whole_firm(self) -> bool:
        return self.is_superuser or self.role in (Role.COMPLIANCE, Role.ADMIN)

    @property
    def is_registered_advisor(self) -> bool:
        """Only a registered investment advisor (证券投资顾问) may send specific advice such as switch suggestions:
        true while one of the user's registrations of that type is current today (registered, not expired).
        Read from the registration records (`Registration`), once per instance: a request's user is loaded
        afresh, so a lapse or renewal counts from the next request; `registration_cache_clear` forgets it."""
        cached = self.__dict__.get("_registered_advisor")
        if cached is None:
            cached = self.pk is not None and Registration.objects.current(
                kind=RegistrationKind.ADVISOR).filter(user_id=self.pk).exists()
            self.__dict__["_registered_advisor"] = cached
        return cached

    def registration_cache_clear(self) -> None:
        self.__dict__.pop("_registered_advisor", None)


class RegistrationKind(models.TextChoices):
    # 中国证券业协会 practitioner registration: general securities business, and investment advisor.
    GENERAL = "general", _("Securities practitioner (general business)")
    ADVISOR = "advisor", _("Securities investment advisor")


class RegistrationQuerySet(models.QuerySet):
    def current(self, *, kind: str | None = None, on=None):
        """Registrations in force on `on` (default today): registered on or before it, expiring on or after it."""
        from django.utils import timezone

        on = on or timezone.localdate()
        qs = self.filter(registered_on__lte=on, expires_on__gte=on)
        return qs.filter(kind=kind) if kind else qs


class Registration(models.Model):
    """One period of a staff member's professional registration with the Securities Association of China
    (证券从业人员执业注册): its type, number and dates. A renewal is a new row with the new period, so the history
    stays; the investment-advisor type decides `User.is_registered_advisor`, which the permissions table reads."""

    user = models.ForeignKey(User, verbose_name=_("staff member"), on_delete=models.CASCADE,
                             related_name="registrations")
    kind = models.CharField(_("registration type"), max_length=16, choices=RegistrationKind.choices)
    number = models.CharField(_("registration number"), max_length=32)
    registered_on = models.DateField(_("registered on"))
    expires_on = models.DateField(_("expires on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("professional registration")
        verbose_name_plural = _("professional registrations")
        ordering = ["user_id", "kind", "-expires_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "registered_on"], name="registration_one_per_start"),
            models.CheckConstraint(condition=models.Q(expires_on__gte=models.F("registered_on")),
                                   name="registration_expires_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.number}"
