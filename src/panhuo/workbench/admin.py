from django.contrib import admin

from panhuo.clients.admin import ClientDataAdmin
from panhuo.clients.models import BranchPolicy, Contact, FunnelEvent, ServicePlan, Task

# Tasks, contacts, funnel events and service plans are client data: their admin pages are audited
# (ClientDataAdmin) like the client's own.


@admin.register(Task)
class TaskAdmin(ClientDataAdmin):
    list_display = ("client", "advisor", "kind", "priority", "status", "due")
    list_filter = ("kind", "status")
    raw_id_fields = ("client", "advisor", "source_contact")


@admin.register(Contact)
class ContactAdmin(ClientDataAdmin):
    list_display = ("client", "advisor", "channel", "outcome", "at")
    list_filter = ("channel", "outcome")
    raw_id_fields = ("client", "advisor", "by")


@admin.register(FunnelEvent)
class FunnelEventAdmin(ClientDataAdmin):
    list_display = ("client", "track", "stage", "on")
    raw_id_fields = ("client", "contact")


@admin.register(ServicePlan)
class ServicePlanAdmin(ClientDataAdmin):
    raw_id_fields = ("client", "updated_by")


admin.site.register(BranchPolicy, list_display=("branch", "protection_days"))
