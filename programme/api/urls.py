"""The programme's API routes; each area adds its own here."""

from django.urls import include, path

from . import actions
from .cycle import routes as cycle_routes

urlpatterns = [
    *actions.routes,
    *cycle_routes,
    path("", include("programme.api.sites")),  # model sites and the sample points' build-out
    path("", include("programme.api.pairing")),  # communities, pairs, their tasks and visits
]
