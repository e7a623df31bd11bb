from django.urls import path

from panhuo.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("batch/<slug:key>/", views.batch_by_key, name="batch"),
]
