from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from panhuo.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "branch", "advisor", "is_registered_advisor", "is_active"]
    list_filter = ["role", "branch", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role"), {"fields": ("role", "branch", "advisor", "is_registered_advisor")}),
    )
