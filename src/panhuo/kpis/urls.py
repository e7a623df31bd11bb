from django.urls import path

from panhuo.kpis import views

app_name = "kpis"
urlpatterns = [
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/uncontacted/", views.uncontacted_page, name="uncontacted"),
]
