from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "panhuo.complaints"
    label = "complaints"
    verbose_name = _("Complaints and call-backs")

    def ready(self) -> None:
        # The client 360 page shows the client's complaints; `panhuo demo` files a few and a month's call-backs.
        from panhuo.clients.registry import register_client_panel, register_demo_seeder
        from panhuo.complaints.demo import demo_seed
        from panhuo.complaints.selectors import complaints_panel

        register_client_panel("complaints", complaints_panel, order=30)
        register_demo_seeder("complaints", demo_seed, order=80)
