from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from panhuo.accounts.models import Registration, User
from panhuo.accounts.permissions import Capability, can


class RegistrationInline(admin.TabularInline):
    """A staff member's registrations (证券从业人员执业注册); a current investment-advisor one lets them send
    specific advice (accounts.permissions)."""
    model = Registration
    extra = 0
    fields = ["kind", "number", "registered_on", "expires_on", "note"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "branch", "advisor", "is_registered_advisor", "is_active"]
    list_filter = ["role", "branch", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role"), {"fields": ("role", "branch", "advisor")}),
    )
    inlines = [RegistrationInline]

    @admin.display(boolean=True, description=_("registered investment advisor"))
    def is_registered_advisor(self, obj) -> bool:
        return obj.is_registered_advisor

    # Staff status lets a user into the admin site; managing users is the permissions table's to grant.
    def has_module_permission(self, request):
        return can(request.user, Capability.MANAGE_USERS) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can(request.user, Capability.MANAGE_USERS) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can(request.user, Capability.MANAGE_USERS) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can(request.user, Capability.MANAGE_USERS) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, Capability.MANAGE_USERS) and super().has_delete_permission(request, obj)
