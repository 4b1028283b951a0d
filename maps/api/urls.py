from django.urls import path

from .views import MapBoundariesView, MapProblemsView, MapSamplePointsView

urlpatterns = [
    path("map/problems/", MapProblemsView.as_view(), name="map-problems"),
    path("map/sample-points/", MapSamplePointsView.as_view(), name="map-sample-points"),
    path("map/boundaries/", MapBoundariesView.as_view(), name="map-boundaries"),
]
