from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.audit.labels import ACTIONS
from panhuo.audit.selectors import AuditFilters


class AuditFilterForm(forms.Form):
    """The audit page's filters; the export takes the same query string."""

    user = forms.CharField(label=_("User"), required=False, max_length=150)
    client = forms.CharField(label=_("Client code"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda item: item[1])
        self.fields["action"].choices = [("", _("All actions")), *labels]

    def filters(self) -> AuditFilters:
        """The valid filters; a field that does not parse is left out (the form shows its error)."""
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(user=(data.get("user") or "").strip(), client=(data.get("client") or "").strip(),
                            action=data.get("action") or "", since=data.get("since"), until=data.get("until"))
