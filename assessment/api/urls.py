"""The assessment's API routes; each area adds its own here."""

from .archive import routes as archive_routes

urlpatterns = []
urlpatterns += archive_routes  # the materials archive
