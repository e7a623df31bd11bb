from django.contrib import admin

from panhuo.allocationweb.models import AllocationPolicy


@admin.register(AllocationPolicy)
class AllocationPolicyAdmin(admin.ModelAdmin):
    list_display = ("branch", "band", "move_cost", "region_cost", "over_capacity")
