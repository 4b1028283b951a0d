from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import cycle

app_name = "programme"

urlpatterns = [*cycle.routes]
