from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "panhuo.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self) -> None:
        # `panhuo demo`: months of the advisors' contacts (after the campaigns, whose tasks they work).
        from panhuo.clients.registry import register_demo_seeder
        from panhuo.workbench.demo import demo_contacts

        register_demo_seeder("workbench", demo_contacts, order=20)
