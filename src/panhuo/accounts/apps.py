from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "panhuo.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from panhuo.accounts.lockout import audit_locked_out, audit_login_failed

        user_login_failed.connect(audit_login_failed, dispatch_uid="panhuo.audit_login_failed")
        user_locked_out.connect(audit_locked_out, dispatch_uid="panhuo.audit_locked_out")
