from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationStep(models.TextChoices):
    """The ladder: 督办 → 约谈 → 问责."""

    NOTICE = "notice", _("Supervision notice (督办)")
    INTERVIEW = "interview", _("Interview list (约谈)")
    PROPOSAL = "proposal", _("Accountability proposal (问责建议)")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Waiting for HQ")
    DECIDED = "decided", _("Decided")
    DISMISSED = "dismissed", _("Dismissed")


class RecordStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    REVOKED = "revoked", _("Revoked")
