"""The field app's API. Each module declares its own ``routes``."""

from . import devices, offline

urlpatterns = [
    *devices.routes,  # POST /api/field/devices/ (server)
    *offline.routes,  # GET /api/field/offline/ (server)
]
