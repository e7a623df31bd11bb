from django.contrib import admin

from panhuo.appraisal.models import ActivityTarget, Scorecard, ScorecardWeights


@admin.register(ScorecardWeights)
class ScorecardWeightsAdmin(admin.ModelAdmin):
    """A branch's weights over scorecard.toml, e.g. {"net_inflow": {"weight": 25, "target": 2000000}}."""
    list_display = ("branch",)


@admin.register(ActivityTarget)
class ActivityTargetAdmin(admin.ModelAdmin):
    list_display = ("advisor", "phone_per_week", "visit_per_week", "wechat_per_week", "coverage_pct")


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Read-only here: scorecards are computed, commented and signed on their page (a signed month is locked)."""
    list_display = ("advisor", "month", "status", "total")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
