from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import archive as archive_views

app_name = "assessment"

urlpatterns = []
urlpatterns += archive_views.routes  # the materials archive
