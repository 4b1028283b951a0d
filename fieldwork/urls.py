"""Pages under /field/. Each module declares its own ``routes``."""

from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import devices, shell

app_name = "fieldwork"

urlpatterns = [
    *shell.routes,  # the field app's shell at /field/ (phone)
    *devices.routes,  # HQ's list of phones and cutting one off (server)
]
# The app shell (views/shell.py) and HQ's list of phones (views/devices.py) add their routes here.
