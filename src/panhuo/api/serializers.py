"""What the API returns and accepts. Codes, not labels: the API is read by machines (the enumerations are in the
OpenAPI schema); personal data is masked as on the pages for a role without a stated reason."""

from __future__ import annotations

from rest_framework import serializers

from panhuo.clients.masking import mask_phone
from panhuo.clients.models import Channel, Outcome, TaskKind, TaskStatus


class ScoresSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    tier = serializers.CharField(help_text="asset tier: vip, core, mass, none")
    lifecycle = serializers.CharField()
    is_dormant = serializers.BooleanField()
    p_alive = serializers.FloatField(allow_null=True, help_text="P(alive): the chance the client still trades")
    churn_risk = serializers.FloatField(allow_null=True, help_text="chance of churn within 90 days")
    churn_reasons = serializers.ListField(child=serializers.DictField())
    total_assets = serializers.DecimalField(max_digits=18, decimal_places=2)
    days_since_last_trade = serializers.IntegerField(allow_null=True)


class ClientSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField(help_text="masked (138****1234)")
    branch = serializers.CharField(source="branch.branch_id")
    advisor = serializers.CharField(source="advisor.advisor_id", allow_null=True, default=None)
    risk_level = serializers.CharField(allow_null=True)
    do_not_contact = serializers.BooleanField()
    scores = serializers.SerializerMethodField()

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_scores(self, obj) -> ScoresSerializer(allow_null=True):  # type: ignore[valid-type]
        snap = getattr(obj, "latest_snapshot", None)
        return ScoresSerializer(snap).data if snap is not None else None


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    client_id = serializers.CharField(source="client.client_id")
    advisor = serializers.CharField(source="advisor.advisor_id", allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    priority = serializers.IntegerField()
    reason = serializers.CharField(source="reason_zh")
    due = serializers.DateField(allow_null=True)
    created_on = serializers.DateField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    client_id = serializers.CharField(max_length=32)
    channel = serializers.ChoiceField(choices=Channel.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    next_follow_up = serializers.DateField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(read_only=True)
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True, default=None)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["client_id"] = instance.client.client_id
        return data


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    status = serializers.CharField()
    branch = serializers.CharField(source="branch.branch_id", allow_null=True, default=None)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    measure = serializers.CharField()
    window_days = serializers.IntegerField()
    control_share = serializers.FloatField()
    members_in_reach = serializers.IntegerField(help_text="members whose client the caller may reach")
    treatment_in_reach = serializers.IntegerField()
    control_in_reach = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
