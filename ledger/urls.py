"""The ledger's pages. Each view module declares its own ``routes``."""

from .views import classes, nearby, problems, sheets, transfer

app_name = "ledger"

urlpatterns = [*transfer.routes, *sheets.routes, *nearby.routes, *problems.routes, *classes.routes]
