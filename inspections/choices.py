from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF_CHECK = "self_check", _("Self-check")
    ROUTINE = "routine", _("Routine supervision")
    UNANNOUNCED = "unannounced", _("Unannounced visit")
    MOCK = "mock", _("Mock assessment")
    PROVINCIAL = "provincial", _("Provincial assessment")
    NATIONAL = "national", _("National assessment")
    WOODPECKER = "woodpecker", _("Woodpecker patrol")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DRAWN = "drawn", _("Drawn")
    CLOSED = "closed", _("Closed")
