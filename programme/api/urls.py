"""The programme's API routes; each area adds its own here."""

from . import actions
from .cycle import routes as cycle_routes

urlpatterns = [*actions.routes, *cycle_routes]
