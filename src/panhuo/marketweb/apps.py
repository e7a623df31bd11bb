from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketwebConfig(AppConfig):
    name = "panhuo.marketweb"
    label = "marketweb"
    verbose_name = _("Market")
