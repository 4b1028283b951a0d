"""The programme's API routes; each area adds its own here."""

from django.urls import include, path

urlpatterns = [
    path("", include("programme.api.pairing")),  # communities, pairs, their tasks and visits
]
