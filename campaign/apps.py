from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign structure")

    def ready(self):
        # Sign-ins exist only as signals (Django's login, django-axes' lock-out); the receivers
        # only append to the audit trail.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import (
            context_processors,  # noqa: F401 (forgets the kept current campaign when one changes)
            exports,  # noqa: F401 (registers the campaign's lists with campaign.exporting)
        )
        from .services import audit

        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="campaign.audit.sign_in")
        user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="campaign.audit.sign_in_failed")
        user_locked_out.connect(audit.on_user_locked_out, dispatch_uid="campaign.audit.locked_out")
