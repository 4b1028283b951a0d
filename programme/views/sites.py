"""The model sites' pages (gallery, a model's page, marking, withdrawing, photos) and the
sample points' build-out (figures per district and category, the list of points, a point's
build-out with its history). Everything loads through ``visible_to(user)``: out of scope is a
404. Changes go through programme/services/sites.py."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.models import SamplePoint
from campaign.photos import PhotoError, photo_store
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required

from ..forms.sites import (
    BuildoutFilterForm,
    BuildoutPlanForm,
    BuildoutTransitionForm,
    GalleryFilterForm,
    ModelSiteMarkForm,
    PhotosForm,
    ReasonForm,
)
from ..models import BuildoutState, ModelSite, ModelSitePhoto, ModelSiteStatus
from ..models.sites import is_hq, may_see_sites
from ..selectors import sites as selectors
from ..services import sites as services

PER_PAGE = 50


def _require_role(user) -> None:
    if not may_see_sites(user):
        raise Http404


def _store(files, point_id: int):
    folder = services.model_site_photo_folder(point_id)
    return [photo_store(f, folder=folder) for f in files]


# --- Model sites ------------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def model_site_gallery(request):
    """The gallery: one card per model site (photo, place, category, district, reason, latest
    score), for the Monday meeting and visitors; printable."""
    user = request.user
    _require_role(user)
    form = GalleryFilterForm(request.GET or None, user=user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sites = selectors.gallery(user, district=filters.get("district"), category=filters.get("category"),
                              status=filters.get("status") or "")
    return render(request, "programme/sites/gallery.html", {
        "form": form, "sites": sites, "is_hq": is_hq(user), "minimum": settings.MODEL_SITE_MIN_SCORE,
        "printed_at": timezone.localtime()})


@campaign_staff_required
@require_GET
def model_site_detail(request, pk: int):
    user = request.user
    _require_role(user)
    site = get_object_or_404(ModelSite.objects.visible_to(user).select_related(
        "sample_point__district", "sample_point__category", "sample_point__responsible_unit", "marked_by"), pk=pk)
    if site.status != ModelSiteStatus.ACTIVE and not is_hq(user):
        raise Http404  # only models in good standing are shown beyond HQ
    return render(request, "programme/sites/detail.html", {
        "site": site, "photos": site.photos.all(), "events": site.events.select_related("by"),
        "score": selectors.recent_score(sample_point_id=site.sample_point_id), "is_hq": is_hq(user),
        "withdraw_form": ReasonForm(), "photos_form": PhotosForm()})


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def model_site_mark(request):
    user = request.user
    if not is_hq(user):
        raise Http404
    initial = {}
    if request.GET.get("sample_point", "").isdigit():
        initial["sample_point"] = request.GET["sample_point"]
    form = ModelSiteMarkForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        point = form.cleaned_data["sample_point"]
        try:
            photos = _store(form.cleaned_data["photos"], point.pk)
            site = services.model_site_mark(sample_point=point, reason=form.cleaned_data["reason"], photos=photos,
                                            by=user)
        except PhotoError as refused:
            form.add_error("photos", str(refused))
        except services.SiteInvalid as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("%(point)s is now a model site.") % {"point": point})
            return redirect("programme:model_site_detail", pk=site.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "programme/sites/mark.html", {"form": form}, status=status)


@campaign_staff_required
@require_POST
def model_site_withdraw(request, pk: int):
    user = request.user
    if not is_hq(user):
        raise Http404
    site = get_object_or_404(ModelSite.objects.visible_to(user), pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.model_site_withdraw(site=site, reason=form.cleaned_data["reason"], by=user)
        except services.SiteInvalid as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The model site was withdrawn."))
    else:
        messages.error(request, _("Say why the mark is withdrawn."))
    return redirect("programme:model_site_detail", pk=site.pk)


@campaign_staff_required
@require_POST
def model_site_photos_add(request, pk: int):
    user = request.user
    if not is_hq(user):
        raise Http404
    site = get_object_or_404(ModelSite.objects.visible_to(user), pk=pk)
    form = PhotosForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors.get("photos", [_("Choose at least one photo.")])))
        return redirect("programme:model_site_detail", pk=site.pk)
    try:
        services.model_site_add_photos(site=site, photos=_store(form.cleaned_data["photos"], site.sample_point_id),
                                       by=user)
    except (PhotoError, services.SiteInvalid) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The photos were added."))
    return redirect("programme:model_site_detail", pk=site.pk)


@campaign_staff_required
@require_GET
def model_site_photo(request, pk: int, thumbnail: bool = False):
    """A model site's photo, only for someone who may see the site (404 otherwise), never
    cached publicly."""
    user = request.user
    _require_role(user)
    sites = ModelSite.objects.visible_to(user) if is_hq(user) else ModelSite.objects.in_gallery(user)
    item = get_object_or_404(ModelSitePhoto.objects.filter(site__in=sites.values("pk")), pk=pk)
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


# --- The build-out ----------------------------------------------------------------------------


@campaign_staff_required
@require_GET
def buildout_report(request):
    """The construction of the sample points: per district and category, how many are planned,
    being built, ready, checked, without a plan and overdue; % ready and checked."""
    user = request.user
    _require_role(user)
    form = BuildoutFilterForm(request.GET or None, user=user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    lines, total = selectors.buildout_figures(user, district=filters.get("district"),
                                              category=filters.get("category"))
    return render(request, "programme/sites/buildout_report.html", {
        "form": form, "lines": lines, "total": total, "today": timezone.localdate()})


@campaign_staff_required
@require_GET
def buildout_list(request):
    user = request.user
    _require_role(user)
    form = BuildoutFilterForm(request.GET or None, user=user)
    points = selectors.buildout_points(user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("district"):
            points = points.filter(district=data["district"])
        if data.get("category"):
            points = points.filter(category=data["category"])
        points = selectors.buildout_filter(points, state=data.get("state") or "", overdue=data.get("overdue"))
    page = Paginator(points, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for point in page:
        buildout = selectors.buildout_of(point)
        rows.append((point, buildout, bool(buildout and buildout.is_overdue(today))))
    return render(request, "programme/sites/buildout_list.html", {
        "form": form, "page": page, "rows": rows, "today": today})


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def buildout_point(request, point_pk: int):
    """A point's build-out: state, dates, plan, history; the moves the user may make."""
    user = request.user
    _require_role(user)
    point = get_object_or_404(selectors.buildout_points(user), pk=point_pk)
    buildout = selectors.buildout_of(point)
    state = buildout.state if buildout else BuildoutState.PLANNED
    moves = services.allowed_moves(user, point, state)
    may_plan = services.may_plan_buildout(user, point)
    move_form = BuildoutTransitionForm(moves=moves)
    plan_form = BuildoutPlanForm(initial={"planned_completion": buildout.planned_completion if buildout else None})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "move" and moves:
                move_form = BuildoutTransitionForm(request.POST, moves=moves)
                if move_form.is_valid():
                    data = move_form.cleaned_data
                    services.buildout_transition(sample_point=point, to_state=data["state"], on=data["on"], by=user,
                                                 reason=data["reason"])
                    messages.success(request, _("The build-out is now %(state)s.") % {
                        "state": BuildoutState(data["state"]).label})
                    return redirect("programme:buildout_point", point_pk=point.pk)
            elif action == "plan" and may_plan:
                plan_form = BuildoutPlanForm(request.POST)
                if plan_form.is_valid():
                    services.buildout_plan(sample_point=point, by=user, **plan_form.cleaned_data)
                    messages.success(request, _("The planned completion date was saved."))
                    return redirect("programme:buildout_point", point_pk=point.pk)
            else:
                raise Http404
        except services.SiteForbidden as refused:
            messages.error(request, str(refused))
            status = 403
        except services.SiteInvalid as refused:
            form = move_form if action == "move" else plan_form
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        status = 400 if status == 200 else status
    return render(request, "programme/sites/buildout_point.html", {
        "point": point, "buildout": buildout, "state": state, "moves": moves, "may_plan": may_plan,
        "move_form": move_form, "plan_form": plan_form, "today": timezone.localdate(),
        "events": buildout.events.select_related("by") if buildout else []}, status=status)


def buildout_panel(request, point) -> dict | None:
    """The "sample_point" panel (campaign/panels.py): the point's construction state, its dates
    and whether it is a model site; None for roles that do not see the build-out."""
    user = request.user
    if not may_see_sites(user) or not SamplePoint.objects.visible_to(user).filter(pk=point.pk).exists():
        return None
    buildout = selectors.buildout_of(point)
    site = ModelSite.objects.in_gallery(user).filter(sample_point=point).first()
    return {"buildout": buildout, "state": buildout.state if buildout else BuildoutState.PLANNED,
            "overdue": bool(buildout and buildout.is_overdue(timezone.localdate())),
            "url": reverse("programme:buildout_point", args=[point.pk]), "site": site,
            "may_mark": is_hq(user) and site is None}
