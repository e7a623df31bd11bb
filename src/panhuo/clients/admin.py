from django.contrib import admin

from panhuo.clients.models import Advisor, Branch, Client


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["branch_id", "name"]


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ["advisor_id", "name", "branch", "level", "capacity", "active"]
    list_filter = ["branch", "level", "active"]
    search_fields = ["advisor_id", "name"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    # Personal columns (ID number, phone) stay off the list: the admin is for settings, not for browsing clients.
    list_display = ["client_id", "branch", "advisor", "client_type", "risk_level", "open_date"]
    list_filter = ["branch", "client_type", "risk_level"]
    search_fields = ["client_id"]
    raw_id_fields = ["advisor"]
    exclude = ["id_number", "phone"]
