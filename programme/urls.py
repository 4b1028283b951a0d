from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import actions, cycle

app_name = "programme"

urlpatterns = [
    *actions.routes,
    *cycle.routes,
]
