from django.urls import path

from panhuo.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("export/", views.event_export, name="export"),
]
