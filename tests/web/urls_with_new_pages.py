"""The app's URLconf plus two routes a future helper might add: a page with a parameter and no sample, and a form's
POST endpoint (test_page_walk_routes.py)."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from panhuo.urls import urlpatterns as app_patterns


def a_page(request, thing_id: int):
    return HttpResponse("a page")


urlpatterns = [*app_patterns,
               path("new-thing/<int:thing_id>/", a_page, name="new_thing"),
               path("new-thing/<int:thing_id>/save/", require_POST(a_page), name="new_thing_save")]
