"""Readiness's API routes (README "Readiness"): the figures and the mock assessments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import readiness

router = SimpleRouter()
router.register("mock-assessments", readiness.MockAssessmentViewSet, basename="mock-assessment")

urlpatterns = [path("readiness/", readiness.ReadinessView.as_view(), name="readiness-api"), *router.urls]
