from django.urls import path, register_converter

from panhuo.appraisal import views


class MonthConverter:
    """YYYY-MM in links (a date is written as its month); any segment is accepted and the view 404s a bad one, so
    an anonymous request meets the log-in redirect first."""
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

app_name = "appraisal"

urlpatterns = [
    path("appraisal/", views.team, name="team"),
    path("appraisal/today-panel/", views.today_panel, name="today_panel"),
    path("appraisal/<str:advisor_code>/", views.advisor, name="advisor"),
    path("appraisal/<str:advisor_code>/targets/", views.targets, name="targets"),
    path("appraisal/<str:advisor_code>/<month:month>/", views.scorecard, name="scorecard"),
    path("appraisal/<str:advisor_code>/<month:month>/export.xlsx", views.scorecard_export, {"fmt": "xlsx"},
         name="scorecard_xlsx"),
    path("appraisal/<str:advisor_code>/<month:month>/export.pdf", views.scorecard_export, {"fmt": "pdf"},
         name="scorecard_pdf"),
]
