from django.urls import path

from panhuo.surveys import views

app_name = "surveys"

urlpatterns = [
    path("clients/<str:client_id>/questionnaire/<slug:key>/", views.questionnaire_take, name="take"),
    path("clients/<str:client_id>/questionnaire/<slug:key>/link/", views.questionnaire_link, name="link"),
    path("clients/<str:client_id>/risk-warning/", views.risk_warning, name="warning"),
    path("clients/<str:client_id>/plan/", views.plan_edit, name="plan"),
    path("clients/<str:client_id>/plan/v<int:version>/", views.plan_version, name="plan_version"),
    path("clients/<str:client_id>/plan/v<int:version>/pdf/", views.plan_version_pdf, name="plan_pdf"),
    path("q/<str:token>/", views.questionnaire_public, name="public"),
]
