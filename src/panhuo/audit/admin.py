from django.contrib import admin

from panhuo.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "username", "role", "action", "object_type", "outcome"]
    list_filter = ["action", "role", "outcome"]
    search_fields = ["username", "action"]

    # The audit trail is append-only, also for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
