from django.urls import path

from panhuo.surveys import views

app_name = "surveys"

urlpatterns = [
    path("clients/<str:client_id>/questionnaire/<slug:key>/", views.questionnaire_take, name="take"),
    path("clients/<str:client_id>/questionnaire/<slug:key>/link/", views.questionnaire_link, name="link"),
    path("clients/<str:client_id>/risk-warning/", views.risk_warning, name="warning"),
    path("q/<str:token>/", views.questionnaire_public, name="public"),
]
