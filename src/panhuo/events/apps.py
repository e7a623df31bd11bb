from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "panhuo.events"
    label = "events"
    verbose_name = _("Client events")

    def ready(self) -> None:
        # The client 360 page shows the client's events and registers them for an open one; `panhuo demo` shows a
        # held event and an upcoming one (clients.registry; the workbench and the demo command ask it).
        from panhuo.clients.registry import register_client_panel, register_demo_seeder
        from panhuo.events.demo import seed_demo_events
        from panhuo.events.selectors import client_events_panel

        register_client_panel("events", client_events_panel, order=40)
        register_demo_seeder("events", seed_demo_events, order=60)
