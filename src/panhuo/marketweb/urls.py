from django.urls import path

from panhuo.marketweb import views

app_name = "marketweb"

urlpatterns = [
    path("market/", views.market, name="market"),
    path("clients/<str:client_id>/switch/send/", views.switch_send_view, name="switch_send"),
]
