from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    CREATING = "creating", _("Creating (first award)")
    REVIEW = "review", _("Review (re-examination)")


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    DEVELOPMENT_ZONE = "zone", _("Development zone")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("City department")
    DISTRICT_GOVERNMENT = "district_government", _("District government")
    STREET_OFFICE = "street_office", _("Street office")
    ENTERPRISE = "enterprise", _("Enterprise")


class CategoryKind(models.TextChoices):
    STANDARD = "standard", _("National standard category")
    KEY_PLACE = "key_place", _("Key-place category")


class IndicatorDirection(models.TextChoices):
    AT_LEAST = "at_least", _("At least the target")
    AT_MOST = "at_most", _("At most the target")


class Role(models.TextChoices):
    HQ_STAFF = "hq", _("HQ staff")
    LEADER = "leader", _("Leader")
    TEAM_LEAD = "team_lead", _("Team lead")
    DISTRICT_LEAD = "district_lead", _("District lead")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    INSPECTOR = "inspector", _("Inspector")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    ROAD_CHIEF = "road_chief", _("Road chief")
    PUBLIC = "public", _("Member of the public")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    PERSON_CREATED = "person_created", _("Person created")
    PERSON_CHANGED = "person_changed", _("Role, scope or access changed")
    EXPORT = "export", _("Exported")
    SHEETS_ISSUED = "sheets_issued", _("Assignment sheets issued")
    NOTICE_ISSUED = "notice_issued", _("Supervision notice issued")
    ESCALATION_OPENED = "escalation_opened", _("Put on the interview list or proposed for accountability")
    ESCALATION_DISMISSED = "escalation_dismiss", _("Escalation dismissed")
    RECORD_DECIDED = "record_decided", _("Accountability decided")
    RECORD_REVOKED = "record_revoked", _("Accountability revoked")
    DEVICE_REVOKED = "device_revoked", _("Phone cut off from field work")
