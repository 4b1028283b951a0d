from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Special actions (programme/models/actions.py) ---------------------------------------------


class TargetStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


class TargetStep(models.TextChoices):
    ADD = "add", _("Added to the action")
    START = "start", _("Started")
    FINISH = "finish", _("Marked done")
    VERIFY = "verify", _("Verified")
    SEND_BACK = "send_back", _("Sent back")
