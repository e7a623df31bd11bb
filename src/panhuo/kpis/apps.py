from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "panhuo.kpis"
    label = "kpis"
    verbose_name = _("Branch figures")

    def ready(self) -> None:
        # The demo branch's teams, before the other seeders so their records see them (clients.registry).
        from panhuo.clients.registry import register_demo_seeder
        from panhuo.kpis.demo import teams_demo_seed

        register_demo_seeder("teams", teams_demo_seed, order=10)
