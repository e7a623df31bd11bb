from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from panhuo.api import views

app_name = "api"


def _token(view):
    """The API authenticates each request by its token (DRF), not by the session's log-in: the site-wide
    LoginRequiredMiddleware would redirect a system to the log-in page, so it is told not to."""
    return login_not_required(view.as_view())


urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("clients/", _token(views.ClientList), name="clients"),
    path("clients/<str:client_id>/", _token(views.ClientDetail), name="client"),
    path("tasks/", _token(views.TaskList), name="tasks"),
    path("contacts/", _token(views.ContactList), name="contacts"),
    path("campaigns/", _token(views.CampaignList), name="campaigns"),
    path("campaigns/<int:campaign_id>/", _token(views.CampaignDetail), name="campaign"),
]
