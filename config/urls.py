from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from campaign.views.home import SignOutView

from .views import healthz

# The API answers JSON even for a URL no route takes (config/api.py); pages keep their templates.
handler400 = "config.api.bad_request"
handler404 = "config.api.not_found"
handler500 = "config.api.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Sign-out answers Clear-Site-Data: the field app's offline copy goes with the session.
    path("logout/", SignOutView.as_view(), name="logout"),
    path("healthz/", healthz, name="healthz"),
    path("api/", include("config.api_urls")),
    path("open311/v2/", include("public_reports.open311.urls")),
    path("notifications/", include("notifications.urls")),
    path("ledger/", include("ledger.urls")),
    path("inspections/", include("inspections.urls")),
    path("accountability/", include("accountability.urls")),
    path("maps/", include("maps.urls")),
    path("assessment/", include("assessment.urls")),
    # The public-satisfaction survey: no sign-in (README "Public pages (internet-facing)").
    path("survey/", include("assessment.urls_public")),
    path("programme/", include("programme.urls")),
    path("field/", include("fieldwork.urls")),
    path("", include("fieldwork.urls_root")),
    path("", include("public_reports.urls")),
    path("reports/", include("reports.urls")),
    # The public red and black list: no sign-in (README "Pages that face the internet").
    path("public/", include("reports.urls_public")),
    path("", include("campaign.urls")),
]
