"""The assessment's API routes; each area adds its own here."""

from .readiness_urls import urlpatterns as readiness_urls

urlpatterns = []
urlpatterns += readiness_urls  # readiness: figures and mock assessments
