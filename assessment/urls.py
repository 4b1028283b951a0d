from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import readiness

app_name = "assessment"

urlpatterns = []
urlpatterns += readiness.routes
