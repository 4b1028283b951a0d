"""The programme's API routes; each area adds its own here."""

from . import actions

urlpatterns = [*actions.routes]
