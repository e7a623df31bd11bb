from django.urls import path

from panhuo.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list_page, name="list"),
    path("events/new/", views.event_edit_page, name="new"),
    path("events/reviews/", views.reviews_page, name="reviews"),
    path("events/<int:event_id>/", views.event_detail_page, name="detail"),
    path("events/<int:event_id>/edit/", views.event_edit_page, name="edit"),
    path("events/<int:event_id>/register/", views.register_page, name="register"),
    path("events/<int:event_id>/checkin/", views.checkin_page, name="checkin"),
    path("events/<int:event_id>/do/<slug:action>/", views.action_page, name="action"),
    path("events/<int:event_id>/files/<int:file_id>/", views.file_page, name="file"),
    path("events/<int:event_id>/registrations/<int:registration_id>/cancel/", views.cancel_registration_page,
         name="cancel_registration"),
    path("events/<int:event_id>/registrations/<int:registration_id>/link/", views.link_page, name="link"),
    # The client's own page (no log-in): a signed, expiring link naming the registration's random key.
    path("e/<str:token>/", views.public_page, name="public"),
]
