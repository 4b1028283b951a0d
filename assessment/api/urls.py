"""The assessment's API routes; each area adds its own here."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import readiness

urlpatterns = []

# Readiness (README "Readiness"): the figures and the mock assessments.
_readiness = SimpleRouter()
_readiness.register("mock-assessments", readiness.MockAssessmentViewSet, basename="mock-assessment")
urlpatterns += [path("readiness/", readiness.ReadinessView.as_view(), name="readiness-api"), *_readiness.urls]
