"""Pages under /field/. Each module declares its own ``routes``."""

from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import shell

app_name = "fieldwork"

urlpatterns = [*shell.routes]
# The app shell (views/shell.py) and HQ's list of phones (views/devices.py) add their routes here.
