"""The field app's API. Each module declares its own ``routes``."""

urlpatterns = []
