"""Every change to the model sites and the sample points' build-out. Pages, the API, the demo
and the daily sweep call these and nothing else.

- ``model_site_mark`` (HQ): a sample point becomes a model with a reason and at least one photo
  (stored by campaign/photos.py before the call); a withdrawn model may be marked again.
- ``model_site_add_photos`` (HQ), ``model_site_withdraw`` (HQ, with a reason).
- ``model_sites_sweep`` (daily, beat): a model whose recent inspections average below
  MODEL_SITE_MIN_SCORE is suspended (HQ is told), a suspended one whose average is back is
  reinstated. Run twice, the second run changes nothing.
- ``buildout_plan`` / ``buildout_transition``: a point's planned completion date and its state
  (planned -> building -> ready -> checked; ready or checked back to building with a reason).
  HQ or the point's responsible unit set it; only HQ and inspectors mark it checked or send it back.
Every change is an event (who, when, from, to, why).
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.models import SamplePoint
from campaign.photos import StoredPhoto
from notifications.services import notify

from ..models import (
    BuildoutEvent,
    BuildoutState,
    ModelSite,
    ModelSiteEvent,
    ModelSitePhoto,
    ModelSiteStatus,
    SamplePointBuildout,
)
from ..models.sites import STATE_DATE_FIELD, is_hq
from ..selectors.sites import recent_score

MODEL_SITE_SUSPENDED = "model_site.suspended"
MAX_PHOTOS = 12


class SiteError(Exception):
    pass


class SiteForbidden(SiteError):
    pass


class SiteInvalid(SiteError):
    """Refused input; ``errors`` maps each field to why."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


def model_site_photo_folder(sample_point_id: int) -> str:
    return f"programme/model_sites/{sample_point_id}"


# --- Model sites ------------------------------------------------------------------------------


def _attach(site: ModelSite, photos, by, at) -> int:
    ModelSitePhoto.objects.bulk_create([
        ModelSitePhoto(site=site, image=p.image_name, thumbnail=p.thumbnail_name, width=p.width, height=p.height,
                       sha256=p.sha256, uploaded_by=by, uploaded_at=at) for p in photos])
    return len(photos)


def model_site_mark(*, sample_point: SamplePoint, reason: str, photos: list[StoredPhoto], by) -> ModelSite:
    """HQ marks a sample point as a model site, saying why, with photos (at least one, unless a
    withdrawn model marked again still has its own)."""
    if not is_hq(by):
        raise SiteForbidden(_("Only HQ may mark model sites."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why this point is a model.")
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Add at most %(n)s photos at a time.") % {"n": MAX_PHOTOS}
    if not sample_point.active:
        errors["sample_point"] = _("This sample point is no longer active.")
    now = timezone.now()
    with transaction.atomic():
        site = ModelSite.objects.select_for_update().filter(sample_point=sample_point).first()
        if site is not None and site.status != ModelSiteStatus.WITHDRAWN:
            errors["sample_point"] = _("%(point)s is already a model site.") % {"point": sample_point}
        if not photos and (site is None or not site.photos.exists()):
            errors.setdefault("photos", _("Add at least one photo of the model site."))
        if errors:
            raise SiteInvalid(errors)
        before = site.status if site else ""
        if site is None:
            site = ModelSite.objects.create(sample_point=sample_point, reason=reason, marked_by=by, marked_at=now,
                                            status=ModelSiteStatus.ACTIVE, status_changed_at=now)
        else:
            site.status = ModelSiteStatus.ACTIVE
            site.reason, site.marked_by, site.marked_at, site.status_changed_at = reason, by, now, now
            site.status_reason = ""
            site.save()
        added = _attach(site, photos, by, now)
        ModelSiteEvent.objects.create(site=site, action=ModelSiteEvent.Action.MARK, at=now, by=by,
                                      from_status=before, to_status=site.status, reason=reason,
                                      data={"photos": added})
    return site


def model_site_add_photos(*, site: ModelSite, photos: list[StoredPhoto], by) -> ModelSite:
    if not is_hq(by):
        raise SiteForbidden(_("Only HQ may add photos to a model site."))
    if not photos:
        raise SiteInvalid({"photos": _("Choose at least one photo.")})
    if len(photos) > MAX_PHOTOS:
        raise SiteInvalid({"photos": _("Add at most %(n)s photos at a time.") % {"n": MAX_PHOTOS}})
    now = timezone.now()
    with transaction.atomic():
        current = ModelSite.objects.select_for_update().get(pk=site.pk)
        added = _attach(current, photos, by, now)
        ModelSiteEvent.objects.create(site=current, action=ModelSiteEvent.Action.PHOTOS, at=now, by=by,
                                      from_status=current.status, to_status=current.status, data={"photos": added})
    return current


def model_site_withdraw(*, site: ModelSite, reason: str, by) -> ModelSite:
    """HQ withdraws the mark, saying why. The site, its photos and events stay."""
    if not is_hq(by):
        raise SiteForbidden(_("Only HQ may withdraw a model site."))
    reason = (reason or "").strip()
    if not reason:
        raise SiteInvalid({"reason": _("Say why the mark is withdrawn.")})
    now = timezone.now()
    with transaction.atomic():
        current = ModelSite.objects.select_for_update().get(pk=site.pk)
        if current.status == ModelSiteStatus.WITHDRAWN:
            raise SiteInvalid({"status": _("This model site was already withdrawn.")})
        _set_status(current, ModelSiteStatus.WITHDRAWN, ModelSiteEvent.Action.WITHDRAW, by=by, reason=reason, at=now)
    return current


def _set_status(site: ModelSite, status: str, action: str, *, by, reason: str, at, data=None) -> ModelSiteEvent:
    before = site.status
    site.status, site.status_changed_at, site.status_reason = status, at, reason[:500]
    site.save(update_fields=["status", "status_changed_at", "status_reason"])
    return ModelSiteEvent.objects.create(site=site, action=action, at=at, by=by, from_status=before, to_status=status,
                                         reason=reason, data=data or {})


@dataclass
class SweepResult:
    suspended: list[int] = field(default_factory=list)
    reinstated: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"model sites: {len(self.suspended)} suspended, {len(self.reinstated)} reinstated"


def _hq_people():
    return list(get_user_model().objects.filter(role=Role.HQ_STAFF, is_active=True))


def model_sites_sweep(*, now=None) -> SweepResult:
    """Judge every active or suspended model by its recent score (selectors.recent_score).
    Idempotent: a site already in the right status is left alone."""
    now = now or timezone.now()
    result = SweepResult()
    candidates = ModelSite.objects.filter(status__in=[ModelSiteStatus.ACTIVE, ModelSiteStatus.SUSPENDED])
    for site_id, point_id in candidates.values_list("pk", "sample_point_id"):
        score = recent_score(sample_point_id=point_id, now=now)
        if score.average is None:
            continue  # no recent inspection: nothing to judge by
        with transaction.atomic():
            site = ModelSite.objects.select_for_update().select_related("sample_point").get(pk=site_id)
            data = {"average": str(score.average), "scores": [str(s) for s in score.scores],
                    "minimum": str(score.minimum)}
            if site.status == ModelSiteStatus.ACTIVE and score.below:
                reason = _("Its recent inspection scores (%(scores)s) average %(average)s, below the minimum of "
                           "%(minimum)s.") % {"scores": ", ".join(str(s) for s in score.scores),
                                               "average": score.average, "minimum": score.minimum}
                event = _set_status(site, ModelSiteStatus.SUSPENDED, ModelSiteEvent.Action.SUSPEND, by=None,
                                    reason=reason, at=now, data=data)
                notify(MODEL_SITE_SUSPENDED, about=site, users=_hq_people(),
                       context={"point": str(site.sample_point), "district": str(site.sample_point.district),
                                "average": str(score.average), "minimum": str(score.minimum),
                                "scores": [str(s) for s in score.scores]},
                       dedupe_key=f"{MODEL_SITE_SUSPENDED}:{site.pk}:{event.pk}")
                result.suspended.append(site.pk)
            elif site.status == ModelSiteStatus.SUSPENDED and not score.below:
                reason = _("Its recent inspection scores (%(scores)s) average %(average)s again, at least the "
                           "minimum of %(minimum)s.") % {"scores": ", ".join(str(s) for s in score.scores),
                                                        "average": score.average, "minimum": score.minimum}
                _set_status(site, ModelSiteStatus.ACTIVE, ModelSiteEvent.Action.REINSTATE, by=None, reason=reason,
                            at=now, data=data)
                result.reinstated.append(site.pk)
    return result


# --- The build-out ------------------------------------------------------------------------------

# Allowed moves: forward one step; ready or checked back to building (with a reason).
TRANSITIONS = {
    BuildoutState.PLANNED: {BuildoutState.BUILDING},
    BuildoutState.BUILDING: {BuildoutState.READY},
    BuildoutState.READY: {BuildoutState.CHECKED, BuildoutState.BUILDING},
    BuildoutState.CHECKED: {BuildoutState.BUILDING},
}
ORDER = [BuildoutState.PLANNED, BuildoutState.BUILDING, BuildoutState.READY, BuildoutState.CHECKED]


def _is_unit_of(user, point) -> bool:
    return bool(user.role == Role.UNIT_HANDLER and user.unit_id and point.responsible_unit_id == user.unit_id)


def _is_inspector_of(user, point) -> bool:
    return bool(user.role == Role.INSPECTOR and SamplePoint.objects.visible_to(user).filter(pk=point.pk).exists())


def may_plan_buildout(user, point) -> bool:
    """HQ, or a handler of the point's responsible unit."""
    return bool(user and user.is_authenticated and user.is_active and (is_hq(user) or _is_unit_of(user, point)))


def allowed_moves(user, point, state: str) -> list[str]:
    """The states ``user`` may move the point to from ``state``: the unit builds (building,
    ready); inspectors check (checked, or back to building); HQ does all."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    moves = TRANSITIONS.get(state, set())
    if is_hq(user):
        allowed = moves
    elif _is_unit_of(user, point):
        allowed = moves & {BuildoutState.BUILDING, BuildoutState.READY} if state in (
            BuildoutState.PLANNED, BuildoutState.BUILDING) else set()
    elif _is_inspector_of(user, point):
        allowed = moves if state == BuildoutState.READY else set()
    else:
        allowed = set()
    return [s for s in ORDER if s in allowed]


def _check_date(value, name: str, errors: dict, *, allow_future: bool = False) -> None:
    if not isinstance(value, date):
        errors[name] = _("Give a date.")
    elif not allow_future and value > timezone.localdate():
        errors[name] = _("The date cannot be in the future.")


def buildout_plan(*, sample_point: SamplePoint, planned_completion: date, by, reason: str = "",
                  on: date | None = None) -> SamplePointBuildout:
    """Set (or change, saying why) the point's planned completion date; the first plan creates
    its build-out record, planned ``on`` (today by default)."""
    if not may_plan_buildout(by, sample_point):
        raise SiteForbidden(_("Only HQ or the point's responsible unit may plan its build-out."))
    errors: dict[str, str] = {}
    _check_date(planned_completion, "planned_completion", errors, allow_future=True)
    reason = (reason or "").strip()
    now, today = timezone.now(), on or timezone.localdate()
    _check_date(today, "on", errors)
    with transaction.atomic():
        buildout = SamplePointBuildout.objects.select_for_update().filter(sample_point=sample_point).first()
        if buildout is not None and buildout.planned_completion and not reason \
                and buildout.planned_completion != planned_completion:
            errors["reason"] = _("Say why the planned completion date changes.")
        if errors:
            raise SiteInvalid(errors)
        if buildout is None:
            buildout = SamplePointBuildout.objects.create(sample_point=sample_point, state=BuildoutState.PLANNED,
                                                          planned_on=today, planned_completion=planned_completion)
            BuildoutEvent.objects.create(buildout=buildout, at=now, by=by, from_state="", to_state=buildout.state,
                                         on=today, reason=reason,
                                         changes={"planned_completion": [None, planned_completion.isoformat()]})
            return buildout
        if buildout.planned_completion == planned_completion:
            return buildout
        before = buildout.planned_completion
        buildout.planned_completion = planned_completion
        buildout.save(update_fields=["planned_completion", "updated_at"])
        BuildoutEvent.objects.create(
            buildout=buildout, at=now, by=by, from_state=buildout.state, to_state=buildout.state, reason=reason,
            changes={"planned_completion": [before.isoformat() if before else None, planned_completion.isoformat()]})
    return buildout


def buildout_transition(*, sample_point: SamplePoint, to_state: str, by, on: date | None = None,
                        reason: str = "") -> SamplePointBuildout:
    """Move the point to ``to_state``, reached ``on`` (today by default; never in the future nor
    before the previous state's date). Going back to building needs a reason and clears the
    later dates (the events keep them)."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if to_state not in BuildoutState.values:
        raise SiteInvalid({"state": _("Unknown construction state %(state)s.") % {"state": to_state}})
    now = timezone.now()
    with transaction.atomic():
        buildout = SamplePointBuildout.objects.select_for_update().filter(sample_point=sample_point).first()
        current = buildout.state if buildout else BuildoutState.PLANNED
        if to_state not in TRANSITIONS[current]:
            raise SiteInvalid({"state": _("A point that is %(current)s cannot become %(to)s.") % {
                "current": BuildoutState(current).label.lower(), "to": BuildoutState(to_state).label.lower()}})
        if to_state not in allowed_moves(by, sample_point, current):
            if to_state == BuildoutState.CHECKED:
                raise SiteForbidden(_("Only HQ or an inspector may mark a point's build-out checked."))
            raise SiteForbidden(_("You may not move this point's build-out to %(to)s.") % {
                "to": BuildoutState(to_state).label.lower()})
        errors: dict[str, str] = {}
        _check_date(on, "on", errors)
        back = ORDER.index(to_state) < ORDER.index(current)
        if back and not reason:
            errors["reason"] = _("Say why the point goes back to being built.")
        previous = getattr(buildout, STATE_DATE_FIELD[current], None) if buildout else None
        if not back and previous and isinstance(on, date) and on < previous:
            errors["on"] = _("The date cannot be before %(date)s, when the point became %(state)s.") % {
                "date": previous.isoformat(), "state": BuildoutState(current).label.lower()}
        if errors:
            raise SiteInvalid(errors)
        if buildout is None:
            buildout = SamplePointBuildout.objects.create(sample_point=sample_point, state=BuildoutState.PLANNED,
                                                          planned_on=on)
        changes = {"state": [current, to_state]}
        if back:
            for later in ORDER[ORDER.index(to_state) + 1:]:
                name = STATE_DATE_FIELD[later]
                if getattr(buildout, name):
                    changes[name] = [getattr(buildout, name).isoformat(), None]
                    setattr(buildout, name, None)
        setattr(buildout, STATE_DATE_FIELD[to_state], on)
        buildout.state = to_state
        buildout.save()
        BuildoutEvent.objects.create(buildout=buildout, at=now, by=by, from_state=current, to_state=to_state, on=on,
                                     reason=reason, changes=changes)
    return buildout
