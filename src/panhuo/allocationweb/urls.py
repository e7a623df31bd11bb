from django.urls import path

from panhuo.allocationweb import views

app_name = "allocationweb"

urlpatterns = [
    path("allocation/", views.allocation, name="allocation"),
    path("allocation/preview/", views.preview_make, name="preview"),
    path("allocation/settings/", views.settings_save, name="settings"),
    path("allocation/preview/<int:preview_id>/approve/", views.preview_approve_view, name="approve"),
]
