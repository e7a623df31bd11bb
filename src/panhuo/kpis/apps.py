from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "panhuo.kpis"
    label = "kpis"
    verbose_name = _("Branch figures")

    def ready(self) -> None:
        # `panhuo demo`: a year of monthly figures, kept again once the demo contacts exist.
        from panhuo.clients.registry import register_demo_seeder
        from panhuo.kpis.demo import demo_kpis

        register_demo_seeder("kpis", demo_kpis, order=30)
