"""The materials archive (创卫档案): the files units upload for each required material, every
upload a new version (never deleted), HQ's reviews as append-only events, the current state of
each material, and the archive's ZIP, written by the worker (README "The materials archive")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.jobs import ExportJobFields

from ..choices import MaterialAction, MaterialStatus
from .standard import MaterialRequirement, StandardEdition


class MaterialFile(models.Model):
    """One version of a material: the file as uploaded (checked by content), stored under a
    random name, served only through the scoped views under its original name."""

    requirement = models.ForeignKey(MaterialRequirement, on_delete=models.PROTECT, related_name="files",
                                    verbose_name=_("required material"))
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("material file")
        verbose_name_plural = _("material files")
        ordering = ["requirement", "-version"]
        constraints = [models.UniqueConstraint(fields=["requirement", "version"], name="material_file_version_once")]

    def __str__(self) -> str:
        return f"{self.requirement.code} v{self.version} {self.original_name}"


class MaterialEvent(models.Model):
    """One move of a material (an upload, an acceptance, a return): append-only."""

    requirement = models.ForeignKey(MaterialRequirement, on_delete=models.PROTECT, related_name="events",
                                    verbose_name=_("required material"))
    file = models.ForeignKey(MaterialFile, on_delete=models.PROTECT, related_name="events", verbose_name=_("file"))
    action = models.CharField(_("action"), max_length=10, choices=MaterialAction.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=MaterialStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=MaterialStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("material event")
        verbose_name_plural = _("material events")
        ordering = ["requirement", "at", "id"]
        indexes = [models.Index(fields=["requirement", "at"], name="material_event_at")]

    def __str__(self) -> str:
        return f"{self.requirement_id} {self.action} {self.from_status}→{self.to_status}"


class MaterialState(models.Model):
    """Where a material stands now (derived from its events, kept for lists and counts): its
    status, its latest version and the latest version HQ accepted."""

    requirement = models.OneToOneField(MaterialRequirement, on_delete=models.PROTECT, primary_key=True,
                                       related_name="archive_state", verbose_name=_("required material"))
    status = models.CharField(_("status"), max_length=10, choices=MaterialStatus.choices,
                              default=MaterialStatus.MISSING)
    latest_file = models.ForeignKey(MaterialFile, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("latest version"))
    accepted_file = models.ForeignKey(MaterialFile, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("accepted version"))
    last_comment = models.TextField(_("HQ's last comment"), blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("material state")
        verbose_name_plural = _("material states")

    def __str__(self) -> str:
        return f"{self.requirement_id} {self.status}"


class ArchiveExport(ExportJobFields):
    """The whole archive as one ZIP (part / article / material / file), written by the worker
    to a temporary file and only then stored and marked done: never served half-written."""

    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("edition"))
    file = models.FileField(_("file"), upload_to="exports/archive/%Y/%m/", blank=True, max_length=300)
    file_format = models.CharField(_("file format"), max_length=8, default="zip", choices=[("zip", "ZIP")])

    class Meta:
        verbose_name = _("archive download")
        verbose_name_plural = _("archive downloads")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"archive #{self.pk}"
