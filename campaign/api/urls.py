from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import imports, views

router = DefaultRouter()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("grids", views.GridViewSet, basename="grid")
router.register("roads", views.RoadViewSet, basename="road")
router.register("units", views.UnitViewSet, basename="unit")
router.register("teams", views.TeamViewSet, basename="team")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("sample-points", views.SamplePointViewSet, basename="samplepoint")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    # Before the router, so "import" is not taken for a sample point's id.
    path("sample-points/import/", imports.SamplePointImportView.as_view(), name="api-sample-point-import"),
    path("sample-points/import/<int:pk>/", imports.SamplePointImportDetailView.as_view(),
         name="api-sample-point-import-detail"),
    path("", include(router.urls)),
]
