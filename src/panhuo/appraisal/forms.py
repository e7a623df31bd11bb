from django import forms

from panhuo.appraisal.models import ActivityTarget


class TargetForm(forms.ModelForm):
    class Meta:
        model = ActivityTarget
        fields = ["phone_per_week", "visit_per_week", "wechat_per_week", "other_per_week", "coverage_pct",
                  "on_time_pct", "follow_ups_pct"]

    def clean(self):
        data = super().clean()
        for f in ("coverage_pct", "on_time_pct", "follow_ups_pct"):
            if data.get(f) is not None and data[f] > 100:
                self.add_error(f, forms.ValidationError("≤ 100"))
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
