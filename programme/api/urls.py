"""The programme's API routes; each area adds its own here."""

urlpatterns = []
