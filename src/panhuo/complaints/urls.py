from django.urls import path

from panhuo.complaints import views

app_name = "complaints"

urlpatterns = [
    path("complaints/", views.complaint_list, name="list"),
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="detail"),
    path("complaints/<int:pk>/act/", views.complaint_act, name="act"),
    path("callbacks/", views.callback_queue, name="callbacks"),
    path("callbacks/coverage/", views.callback_coverage, name="coverage"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback"),
]
