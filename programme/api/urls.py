"""The programme's API routes; each area adds its own here."""

from .cycle import routes as cycle_routes

urlpatterns = [*cycle_routes]
