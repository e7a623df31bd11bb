from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.accounts.models import RegistrationKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")      # what a date input reads, whatever the language


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    hours = forms.DecimalField(label=_("Hours credited"), min_value=0.5, max_value=100, decimal_places=1)


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Registration type"), choices=RegistrationKind.choices)
    number = forms.CharField(label=_("Registration number"), max_length=32)
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("registered_on") and data.get("expires_on") and data["expires_on"] < data["registered_on"]:
            raise forms.ValidationError(_("The registration cannot expire before it starts."))
        return data
