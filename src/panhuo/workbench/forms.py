from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import Channel, Outcome
from panhuo.workbench.services.clients import UNMASK_FIELDS
from panhuo.workbench.services.tasks import SNOOZE_CHOICES


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    task_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class UnmaskForm(forms.Form):
    field = forms.ChoiceField(choices=[(f, f) for f in UNMASK_FIELDS])
    reason = forms.CharField(label=_("Reason"), min_length=4, max_length=500)


class TaskActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("done", "done"), ("snooze", "snooze"), ("hand_back", "hand_back")])
    # The row's form always carries days=3; only a snooze reads it.
    days = forms.TypedChoiceField(choices=[(d, d) for d in SNOOZE_CHOICES], coerce=int, required=False,
                                  empty_value=None)


class ReassignForm(forms.Form):
    advisor = forms.CharField(max_length=32)
    reason = forms.CharField(max_length=500, required=False)     # kept in the audit trail

    def client_ids(self, data) -> list[str]:
        # Either ticked boxes (client_ids) or codes pasted into a text area, separated by spaces or commas.
        ids = list(data.getlist("client_ids"))
        ids += data.get("client_codes", "").replace(",", " ").split()
        return ids
