"""The assessment's API routes; each area adds its own here."""

from django.urls import include, path

from .readiness_urls import urlpatterns as readiness_urls

urlpatterns = [
    path("", include("assessment.api.satisfaction")),
    path("", include("assessment.api.vectors")),  # vector-control surveys
]
urlpatterns += readiness_urls  # readiness: figures and mock assessments
