from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "panhuo.kpis"
    label = "kpis"
    verbose_name = _("Branch figures")

    def ready(self) -> None:
        # `panhuo demo`: the branch's teams first, then a year of monthly figures kept again once the demo's
        # contacts and teams exist (clients.registry).
        from panhuo.clients.registry import register_demo_seeder
        from panhuo.kpis.demo import demo_kpis, teams_demo_seed

        register_demo_seeder("teams", teams_demo_seed, order=5)
        register_demo_seeder("kpis", demo_kpis, order=30)
