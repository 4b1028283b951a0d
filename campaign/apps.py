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
        from django.db.models.signals import post_delete, post_save

        from . import (
            context_processors,  # noqa: F401 (forgets the kept current campaign when one changes)
            exports,  # noqa: F401 (registers the campaign's lists with campaign.exporting)
        )
        from .models import District, Grid, Road, Team, Unit, forget_scope_labels
        from .services import audit

        for model in (District, Grid, Road, Team, Unit):  # the header's kept scope names (User.scope_label)
            for signal in (post_save, post_delete):
                signal.connect(forget_scope_labels, sender=model, dispatch_uid=f"campaign.scope_labels.{model.__name__}")

        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="campaign.audit.sign_in")
        user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="campaign.audit.sign_in_failed")
        user_locked_out.connect(audit.on_user_locked_out, dispatch_uid="campaign.audit.locked_out")
