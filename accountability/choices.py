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


# The kinds of accountability every city starts with (code, name, English name, order): the
# data migration and ``accountability_defaults_seed`` write them; HQ adds or retires kinds.
DEFAULT_KINDS = (
    ("criticism", "通报批评", "Circulated criticism", 10),
    ("interview", "约谈", "Interview", 20),
    ("admonishment", "诫勉谈话", "Admonishment talk", 30),
    ("written_review", "书面检查", "Written self-examination", 40),
    ("warning", "警示提醒", "Warning", 50),
)
