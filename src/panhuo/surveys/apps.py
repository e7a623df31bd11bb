from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "panhuo.surveys"
    label = "surveys"
    verbose_name = _("Questionnaires and suitability")

    def ready(self) -> None:
        # The client 360 page shows the client's personality (自评 or 推断), risk level and its validity, and the
        # questionnaires to take (clients.registry; the workbench asks it).
        from panhuo.clients.registry import register_client_panel, register_demo_seeder
        from panhuo.surveys.demo import demo_seed
        from panhuo.surveys.plan_selectors import plan_panel
        from panhuo.surveys.selectors import assessment_panel

        register_client_panel("assessments", assessment_panel, order=20)
        # The service plan (服务计划书) with the client's behaviour profile (客户行为分析).
        register_client_panel("plan", plan_panel, order=25)
        # After the seeders that log contacts: the satisfaction answers ask about recent ones.
        register_demo_seeder("questionnaires", demo_seed, order=80)
