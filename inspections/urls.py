"""The inspections' pages. Each view module declares its own ``routes``."""

from .views import checklists, field, rounds, scores

app_name = "inspections"

urlpatterns = [*field.routes, *rounds.routes, *scores.routes, *checklists.routes]
