from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    """Field work without signal: the inspector's and the unit handler's phone pages as an
    installable offline app (README "Field work offline"). The offline copy (what the phone
    keeps), the phones HQ can cut off, and the app shell, its manifest and service worker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "fieldwork"
    verbose_name = _("Field work offline")

    def ready(self):
        self._ready_sync()
        self._ready_shell()

    def _ready_sync(self):
        """The server side: devices, the offline copy, revocation."""

    def _ready_shell(self):
        """The phone side: manifest, service worker, the app shell."""
