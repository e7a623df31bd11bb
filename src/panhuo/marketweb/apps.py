from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketwebConfig(AppConfig):
    name = "panhuo.marketweb"
    label = "marketweb"
    verbose_name = _("Market")

    def ready(self) -> None:
        # The client 360 page shows the client's switch suggestion (clients.registry; the workbench asks it).
        from panhuo.clients.registry import register_client_panel
        from panhuo.marketweb.selectors import switch_panel

        register_client_panel("switch", switch_panel, order=50)
