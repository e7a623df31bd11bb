from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "panhuo.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # The schema's description of the bearer token (an OpenAPI extension registers itself on import).
        from panhuo.api import auth  # noqa: F401
