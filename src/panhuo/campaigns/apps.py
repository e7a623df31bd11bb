from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "panhuo.campaigns"
    label = "campaigns"
    verbose_name = _("Reactivation campaigns")

    def ready(self) -> None:
        # A campaign task shows its campaign's script on Today (clients.registry; the workbench asks the registry).
        from panhuo.campaigns.demo import demo_campaigns
        from panhuo.campaigns.selectors import campaign_attributions, campaign_task_scripts
        from panhuo.clients.registry import register_attribution, register_demo_seeder, register_task_scripts

        register_task_scripts("campaigns", campaign_task_scripts)
        # The appraisal's scorecard credits reactivations by the campaign's measured lift.
        register_attribution("campaigns", campaign_attributions)
        # The demo draws the branch's long-term holdout first, so the director's holdout page has a period to show
        # and the demo's campaigns keep those clients out, as real ones do.
        from panhuo.clients.holdout import holdout_demo_seed

        register_demo_seeder("holdout", holdout_demo_seed, order=8)
        # `panhuo demo`: a finished and a running campaign, approved and launched through the services.
        register_demo_seeder("campaigns", demo_campaigns, order=10)
