"""The assessment's API routes; each area adds its own here."""

from django.urls import include, path

urlpatterns = [
    path("", include("assessment.api.satisfaction")),
]
