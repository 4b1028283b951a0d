"""The assessment's API routes; each area adds its own here."""

urlpatterns = []

from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("assessment.api.vectors"))]  # vector-control surveys
