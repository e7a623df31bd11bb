from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationwebConfig(AppConfig):
    name = "panhuo.allocationweb"
    label = "allocationweb"
    verbose_name = _("Allocation")
