"""The assessment's API routes; each area adds its own here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import standard
from .archive import routes as archive_routes
from .readiness_urls import urlpatterns as readiness_urls

router = DefaultRouter()
# The standard as data (assessment/api/standard.py).
router.register("standard-editions", standard.StandardEditionViewSet, basename="standard-edition")
router.register("standard-parts", standard.StandardPartViewSet, basename="standard-part")
router.register("standard-articles", standard.StandardArticleViewSet, basename="standard-article")
router.register("standard-materials", standard.MaterialRequirementViewSet, basename="standard-material")

urlpatterns = [
    path("", include("assessment.api.satisfaction")),
    path("", include(router.urls)),
    path("", include("assessment.api.vectors")),  # vector-control surveys
]
urlpatterns += archive_routes  # the materials archive
urlpatterns += readiness_urls  # readiness: figures and mock assessments
