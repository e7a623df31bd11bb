from django.contrib import admin

from panhuo.workbench.models import BranchPolicy, Contact, FunnelEvent, ServicePlan, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("client", "advisor", "kind", "priority", "status", "due")
    list_filter = ("kind", "status")
    raw_id_fields = ("client", "advisor", "source_contact")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("client", "advisor", "channel", "outcome", "at")
    list_filter = ("channel", "outcome")
    raw_id_fields = ("client", "advisor", "by")


admin.site.register(FunnelEvent, raw_id_fields=("client", "contact"), list_display=("client", "track", "stage", "on"))
admin.site.register(ServicePlan, raw_id_fields=("client", "updated_by"))
admin.site.register(BranchPolicy, list_display=("branch", "protection_days"))
