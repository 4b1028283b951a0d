"""The REST API: each app's api/urls.py adds its routes here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from config.schema_view import SchemaView

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP refuses inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
         name="api-docs"),
    path("", include("notifications.api.urls")),
    path("", include("ledger.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("campaign.api.urls")),
    path("", include("accountability.api.urls")),
    path("", include("maps.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("programme.api.urls")),
    path("", include("fieldwork.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("public_reports.api.keys")),
    path("", include("public_reports.api.urls")),
    path("", include("public_reports.api.rewards")),
]
