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

# --- The supervision cycle (programme/models/cycle.py) ------------------------------------------


class RoundPlanKind(models.TextChoices):
    """What a recurring round plan makes (the supervision cycle, README "The supervision cycle")."""

    ROUTINE = "routine", _("Routine supervision")
    APPRAISAL = "appraisal", _("Appraisal")
    CROSS = "cross", _("Cross-inspection")


class Recurrence(models.TextChoices):
    WEEKS = "weeks", _("Every N weeks")
    QUARTERLY = "quarterly", _("Every quarter")


class RoundPlanAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    FAILED = "failed", _("Could not make its round")
