from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import Event


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    online_url = forms.URLField(label=_("online link"), required=False, assume_scheme="https")

    class Meta:
        model = Event
        fields = ["kind", "title", "topic", "starts_at", "ends_at", "venue", "online_url", "capacity", "speaker",
                  "materials"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(),
                   "topic": forms.Textarea(attrs={"rows": 2}), "materials": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"materials": _("The text handed out or shown (an outline, the slides' text). Compliance reviews "
                                     "it before clients are registered; investor education names no product.")}


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))
