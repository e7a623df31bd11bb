from django.urls import path, register_converter

from panhuo.appraisal import views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

app_name = "appraisal"

urlpatterns = [
    path("appraisal/", views.team, name="team"),
    path("appraisal/<str:advisor_code>/", views.advisor, name="advisor"),
    path("appraisal/<str:advisor_code>/targets/", views.targets, name="targets"),
    path("appraisal/<str:advisor_code>/<month:month>/", views.scorecard, name="scorecard"),
    path("appraisal/<str:advisor_code>/<month:month>/export.xlsx", views.scorecard_export, {"fmt": "xlsx"},
         name="scorecard_xlsx"),
    path("appraisal/<str:advisor_code>/<month:month>/export.pdf", views.scorecard_export, {"fmt": "pdf"},
         name="scorecard_pdf"),
]
