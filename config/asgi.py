import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from config.heap import settle_at_start  # noqa: E402 - needs the application loaded

settle_at_start()
