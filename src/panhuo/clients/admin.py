"""The Django admin for the client master. The admin is for settings and repairs, not for browsing clients:

- no search or filter on ID number or phone, and those two only ever shown masked;
- every list page and every record of client data opened here goes to the audit trail (`admin.view`);
- a client with service history cannot be deleted: the history would go with it. Closing the account in the
  back office is the way (its status follows every import).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panhuo.clients.masking import mask_id_number, mask_phone
from panhuo.clients.models import (
    Advisor,
    Branch,
    BranchPolicy,
    Client,
    Contact,
    FunnelEvent,
    ServicePlan,
    Task,
    Team,
)

# Reverse relations of Client that make up its service history, with the words the refusal uses.
SERVICE_HISTORY = {
    "contacts": _("contacts"),
    "tasks": _("tasks"),
    "service_plan": _("service plan"),
    "consents": _("consent records"),
    "campaign_memberships": _("campaign membership"),
    "funnel_events": _("funnel events"),
}


def clients_with_service_history(queryset) -> dict[str, list[str]]:
    """Client code → the kinds of service history it has, for the clients of `queryset` that have any."""
    found: dict[str, list[str]] = {}
    for relation, label in SERVICE_HISTORY.items():
        codes = queryset.filter(**{f"{relation}__isnull": False}).values_list("client_id", flat=True).distinct()
        for code in codes:
            found.setdefault(code, []).append(str(label))
    return found


def _refuse_delete(request, history: dict[str, list[str]]) -> None:
    codes = sorted(history)
    kinds = sorted({k for ks in history.values() for k in ks})
    messages.error(request, gettext(
        "Not deleted: %(clients)s has service history (%(kinds)s), which deleting would erase. Close the account "
        "in the back office instead; the next import marks it closed and keeps its history."
    ) % {"clients": ", ".join(codes[:10]) + ("…" if len(codes) > 10 else ""), "kinds": ", ".join(kinds)})


PERSONAL_FIELDS = ("id_number", "phone")


class ClientDataAdmin(admin.ModelAdmin):
    """A ModelAdmin that shows client data: its list pages and opened records are audited as `admin.view`
    with the codes of the clients shown (the model's own ids in the detail)."""

    def lookup_allowed(self, lookup, value, request=None):
        # The admin lets a URL filter on any field of the model (?phone=138…, ?id_number__startswith=…), list_filter
        # or not: that would make it a look-up service for personal data.
        if any(part in PERSONAL_FIELDS for part in lookup.split("__")):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _audit(self, request, objects, view: str) -> None:
        from panhuo.audit.services import audit_record

        objects = list(objects)
        if self.model is Client:
            codes = [o.client_id for o in objects]
        else:
            # The foreign key's column is named client_id too, but it holds the Client's pk, not its code.
            codes = list(Client.objects.filter(pk__in={o.client_id for o in objects})
                         .order_by("client_id").values_list("client_id", flat=True))
        audit_record(user=request.user, action="admin.view", object_type="client", object_ids=codes,
                     detail={"model": self.model._meta.label_lower, "view": view,
                             "ids": [str(o.pk) for o in objects]}, request=request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # An action's confirmation page or a redirect has no list of rows: nothing shown, nothing to record.
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._audit(request, changelist.result_list, "list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._audit(request, [obj], "change")
        return response


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["branch_id", "name"]


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ["advisor_id", "name", "branch", "team", "level", "capacity", "active"]
    list_filter = ["branch", "team", "level", "active"]
    list_editable = ["team"]
    search_fields = ["advisor_id", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "leader"]
    list_filter = ["branch"]
    search_fields = ["name"]


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_without_history(modeladmin, request, queryset):
    """Django's bulk delete, refused as a whole when one of the clients has service history."""
    history = clients_with_service_history(queryset)
    if history:
        _refuse_delete(request, history)
        return None
    return delete_selected(modeladmin, request, queryset)


@admin.register(Client)
class ClientAdmin(ClientDataAdmin):
    # ID number and phone: never a column, a search or a filter, and in the form only masked and read-only.
    list_display = ["client_id", "branch", "advisor", "client_type", "risk_level", "status", "open_date"]
    list_filter = ["branch", "client_type", "risk_level", "status"]
    search_fields = ["client_id"]
    raw_id_fields = ["advisor"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Client) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Client) -> str:
        return mask_phone(obj.phone)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (delete_selected_without_history, "delete_selected",
                                          actions["delete_selected"][2])
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            history = clients_with_service_history(Client.objects.filter(pk=obj.pk))
            if history:
                _refuse_delete(request, history)
                return redirect(reverse("admin:clients_client_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


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
    list_display = ("client", "review_on", "updated_by", "updated_at")


admin.site.register(BranchPolicy, list_display=("branch", "protection_days", "cadence_vip_days", "cadence_core_days",
                                                  "cadence_mass_days", "onboarding_first_days"))
