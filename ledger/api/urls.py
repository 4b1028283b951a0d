"""The ledger's API. Each module declares its own ``routes`` (paths and router registrations)."""

from . import sheets, transfer, views

urlpatterns = [*transfer.routes, *sheets.routes, *views.routes]
