"""The inspections' API. The module declares its own ``routes``."""

from . import views

urlpatterns = [*views.routes]
