from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "panhuo.appraisal"
    label = "appraisal"
    verbose_name = _("Activity and appraisal")

    def ready(self) -> None:
        # The advisor sees their week's progress against the targets on Today (clients.registry).
        from panhuo.appraisal.demo import demo_scorecards
        from panhuo.appraisal.selectors import today_targets_panel
        from panhuo.clients.registry import register_demo_seeder, register_today_panel

        register_today_panel("appraisal", today_targets_panel)
        # `panhuo demo`: last month's scorecards, one signed.
        register_demo_seeder("appraisal", demo_scorecards, order=40)
