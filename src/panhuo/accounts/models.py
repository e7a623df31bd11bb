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
    # Only registered investment advisors (证券投资顾问) may send specific advice such as stock pools.
    is_registered_advisor = models.BooleanField(_("registered investment advisor"), default=False)

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
