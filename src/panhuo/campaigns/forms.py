"""The campaign form. Target rules come as parallel lists (rule_field / rule_op / rule_value) from the
rule builder's rows and are checked by the selectors' closed vocabulary.

The holdout seed is not a field: the server draws it at launch, so a designer cannot try seeds until the split
flatters the result (a posted `seed` is ignored like any unknown field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.campaigns.models import Campaign
from panhuo.campaigns.services.launch import step_days_valid
from panhuo.clients.models import Channel


class CampaignForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(label=_("channels"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Campaign
        fields = ["name", "goal", "size", "control_share", "channels", "script", "start", "end", "measure",
                  "window_days", "measure_cap", "product_risk", "incentive_rule", "incentive_per_client",
                  "incentive_cap", "daily_cap_per_advisor",
                  "client_cap_contacts", "client_cap_days", "quiet_start", "quiet_end", "step_days"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "script": forms.Textarea(attrs={"rows": 4}),
                   "incentive_rule": forms.Textarea(attrs={"rows": 2}),
                   "start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"}),
                   "quiet_start": forms.TimeInput(attrs={"type": "time"}),
                   "quiet_end": forms.TimeInput(attrs={"type": "time"})}

    def clean_step_days(self):
        days = self.cleaned_data["step_days"] or [0]
        if isinstance(days, list) and all(type(d) is int for d in days):
            days = sorted(days)                      # the order typed does not matter; repeats do
        if not step_days_valid(days) or days[-1] > 366:
            raise forms.ValidationError(_("Steps are a list of whole days after the start, e.g. [0, 7]."))
        return days

    def clean_control_share(self):
        share = self.cleaned_data["control_share"]
        if not 0 < share < 1:
            raise forms.ValidationError(_("The control share must be between 0 and 1."))
        return share


def _value(raw: str):
    raw = raw.strip()
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    try:
        return float(raw) if any(ch in raw for ch in ".eE") else int(raw)
    except ValueError:
        return raw


def rules_from_post(data) -> list[dict]:
    fields, ops, values = data.getlist("rule_field"), data.getlist("rule_op"), data.getlist("rule_value")
    return [{"field": f, "op": o, "value": _value(v)} for f, o, v in zip(fields, ops, values, strict=False)
            if f and o]
