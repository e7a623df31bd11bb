from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch must work on the login page too; it only sets a cookie and redirects to a safe URL.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("imports/", include("panhuo.imports.urls")),
    path("audit/", include("panhuo.audit.urls")),
    path("api/v1/", include("panhuo.api.urls")),
    path("", include("panhuo.web.urls")),
    path("", include("panhuo.workbench.urls")),
    path("", include("panhuo.campaigns.urls")),
    path("", include("panhuo.marketweb.urls")),
    path("", include("panhuo.allocationweb.urls")),
    path("", include("panhuo.appraisal.urls")),
    path("", include("panhuo.surveys.urls")),
    path("", include("panhuo.kpis.urls")),
    path("", include("panhuo.events.urls")),
    path("", include("panhuo.complaints.urls")),
    path("", include("panhuo.training.urls")),
]

# Error pages in the app's layout (web/templates/403.html, 404.html, 500.html); 500 needs a view with the request.
handler500 = "panhuo.web.views.server_error"
