"""The REST API: each app's api/urls.py adds its routes here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("ledger.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("campaign.api.urls")),
    path("", include("reports.api.urls")),
]
