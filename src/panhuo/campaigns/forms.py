"""The campaign form, in the material's order (客户激活的执行顺序): purpose → target → channels → product → measure
of success → incentive. The target's rows and the schedule's rows are read by campaigns/builder.py.

Amounts are typed as staff write them ("50万", "1.5亿", "200"); shares as percentages ("10" or "10%").
The holdout seed is not a field: the server draws it at launch, so a designer cannot try seeds until the split
flatters the result (a posted `seed` is ignored like any unknown field)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.campaigns.models import Campaign
from panhuo.formatting import parse_amount

# (section title, fields): the material's six steps; the target rows and the schedule sit in their sections.
SECTIONS = [
    ("purpose", _("1. Purpose"), ["name", "goal"]),
    ("target", _("2. Target"), ["size", "control_share", "randomise_by_advisor", "uplift_from"]),
    ("channels", _("3. Channels and schedule"), ["event", "start", "end", "quiet_start", "quiet_end", "daily_cap_per_advisor",
                                                  "client_cap_contacts", "client_cap_days"]),
    ("product", _("4. Product"), ["product_risk"]),
    ("measure", _("5. Measure of success"), ["measure", "window_days", "measure_cap"]),
    ("incentive", _("6. Incentive"), ["incentive_rule", "incentive_per_client", "incentive_cap"]),
]


class AmountField(forms.CharField):
    """An amount in 元 typed as 50万 / 1.5亿 / 200 (a bare number is 元)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError:
            raise forms.ValidationError(_("Type an amount, e.g. 200, 5万 or 1.5亿.")) from None


class CampaignForm(forms.ModelForm):
    control_share = forms.CharField(label=_("Control group (% of eligible clients)"), initial="10",
                                    help_text=_("kept out of the campaign to measure its effect"))
    measure_cap = AmountField(label=_("Cap per client"), required=False)
    incentive_per_client = AmountField(label=_("Incentive per incremental client (CNY)"), required=False)
    incentive_cap = AmountField(label=_("Incentive cap per advisor (CNY)"), required=False)

    class Meta:
        model = Campaign
        fields = [f for _k, _t, names in SECTIONS for f in names]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "incentive_rule": forms.Textarea(attrs={"rows": 2}),
                   "start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"}),
                   "quiet_start": forms.TimeInput(attrs={"type": "time"}),
                   "quiet_end": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # an uplift model learns from a launched campaign with measured outcomes that the designer can see
        from panhuo.campaigns.selectors import campaign_events_open, campaigns_for_user

        qs = campaigns_for_user(user=user) if user is not None else self.fields["uplift_from"].queryset.none()
        self.fields["uplift_from"].queryset = qs.filter(launched_at__isnull=False, outcomes_as_of__isnull=False)
        self.fields["uplift_from"].help_text = _("optional: tasks then go first to the clients a contact is "
                                                 "expected to bring back the most, net of its cost")
        self.fields["event"].queryset = campaign_events_open(user=user)
        self.fields["event"].help_text = _("optional: the treatment group is invited to this event at launch, the "
                                           "control group is not; the script is the invitation")
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["control_share"] = f"{self.instance.control_share * 100:g}"

    def sections(self):
        return [(key, title, [self[f] for f in names]) for key, title, names in SECTIONS]

    def clean_control_share(self):
        raw = str(self.cleaned_data["control_share"]).strip().rstrip("%").strip()
        try:
            share = float(raw) / 100
        except ValueError:
            raise forms.ValidationError(_("The control group is a percentage, e.g. 10.")) from None
        if not 0 < share < 1:
            raise forms.ValidationError(_("The control group must be between 0% and 100%."))
        return share

    def clean_incentive_per_client(self):
        v = self.cleaned_data["incentive_per_client"]
        return None if v is None else Decimal(f"{v:.2f}")

    def clean_incentive_cap(self):
        v = self.cleaned_data["incentive_cap"]
        return None if v is None else Decimal(f"{v:.2f}")
