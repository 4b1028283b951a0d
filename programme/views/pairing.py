"""Pairing's pages: the pairs with progress bars (filters, Excel), a pair (tasks, visits, history),
a unit's pairs, the tasks due, and the communities with their Excel import (preview, then confirm).

Everything loads through ``visible_to(user)`` (out of scope: 404); writes go through
programme/services/pairing.py (pairs, tasks, visits) and campaign/services/communities.py.
"""

import base64
import zlib

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.forms import bootstrap_form
from campaign.importing.communities import plan_communities
from campaign.models import Community, District, Unit
from campaign.photos import PhotoError, photo_store
from campaign.services.communities import (
    CommunityImportError,
    communities_import,
    may_import_communities,
)
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required

from ..choices import PairTaskStatus
from ..filters.pairing import CommunityFilterSet, PairFilterSet, PairTaskFilterSet
from ..forms.pairing import (
    CommunityImportForm,
    PairEndForm,
    PairForm,
    PairTaskDoneForm,
    PairTaskForm,
    PairVisitForm,
    ReasonForm,
)
from ..models import Pair, PairPhoto, PairTask
from ..models.pairing import manages_pairs, may_see_pairing, sees_all_pairs
from ..selectors import pairing as selectors
from ..services import pairing as services

PER_PAGE = 50
IMPORT_SALT = "programme.pairing.community-import"


def _require_pairing(user) -> None:
    if not may_see_pairing(user):
        raise Http404


def _today():
    return timezone.localdate()


@campaign_staff_required
@require_GET
def pair_list(request):
    user = request.user
    _require_pairing(user)
    pairs = selectors.pairs_for(user, today=_today())
    filterset = PairFilterSet(request.GET or None, queryset=pairs, request=request)
    bootstrap_form(filterset.form)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else pairs
    page = Paginator(rows.order_by("-active", "community__district__code", "community__name", "unit__name", "id"),
                     PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programme/pairing/pair_list.html", {
        "filterset": filterset, "page": page, "total": selectors.total_progress(rows),
        "may_manage": manages_pairs(user), "may_import": may_import_communities(user)})


def _photos(uploads, pair_id: int) -> list:
    return [photo_store(upload, folder=f"programme/pairing/{pair_id}") for upload in uploads]


def _apply_errors(form, error: services.PairingInvalid) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


@campaign_staff_required
@require_GET
def pair_detail(request, pk: int):
    user = request.user
    _require_pairing(user)
    pair = get_object_or_404(selectors.pairs_for(user, today=_today()), pk=pk)
    return _render_pair(request, pair)


@campaign_staff_required
@require_GET
def pair_photo(request, pk: int, thumbnail: bool = False):
    """A task's or a visit's photo, only for someone who may see its pair (404 otherwise), never
    cached publicly: photos are not under a public /media/ address."""
    user = request.user
    _require_pairing(user)
    pairs = Pair.objects.visible_to(user).values("pk")
    item = get_object_or_404(PairPhoto.objects.filter(Q(task__pair__in=pairs) | Q(visit__pair__in=pairs)), pk=pk)
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


def _render_pair(request, pair, **forms):
    user = request.user
    today = _today()
    tasks = list(pair.tasks.prefetch_related("photos").select_related("done_by"))
    works = services.works_for_pair(user, pair)
    for task in tasks:  # each planned task its own form (its own element ids); a refused one bound
        if task.status == PairTaskStatus.PLANNED and works:
            task.done_form = (forms["done_form"] if forms.get("done_task_id") == task.pk
                              else PairTaskDoneForm(auto_id=f"id_done{task.pk}_%s"))
    context = {
        "pair": pair, "tasks": tasks, "today": today,
        "visits": pair.visits.prefetch_related("photos").select_related("recorded_by"),
        "events": pair.events.select_related("actor", "task", "visit"),
        "may_manage": manages_pairs(user), "may_work": works and pair.active,
        "task_form": forms.get("task_form") or PairTaskForm(),
        "visit_form": forms.get("visit_form") or PairVisitForm(),
        "end_form": forms.get("end_form") or PairEndForm(initial={"ends_on": today}),
        "done_task_id": forms.get("done_task_id"),
        "reason_form": ReasonForm(),
        "planned": PairTaskStatus.PLANNED, "done": PairTaskStatus.DONE,
    }
    return render(request, "programme/pairing/pair_detail.html", context)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def pair_create(request):
    user = request.user
    if not manages_pairs(user):
        raise Http404
    form = PairForm(request.POST or None, user=user, initial={"starts_on": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pair = services.pair_create(actor=user, unit=data["unit"], community=data["community"],
                                        starts_on=data["starts_on"], ends_on=data["ends_on"], note=data["note"])
        except services.PairingInvalid as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The pair is recorded."))
            return redirect("programme:pair_detail", pair.pk)
    return render(request, "programme/pairing/pair_form.html", {"form": form})


def _pair_for_write(request, pk: int) -> Pair:
    _require_pairing(request.user)
    return get_object_or_404(selectors.pairs_for(request.user, today=_today()), pk=pk)


@campaign_staff_required
@require_POST
def pair_end(request, pk: int):
    pair = _pair_for_write(request, pk)
    if not manages_pairs(request.user):
        raise Http404
    form = PairEndForm(request.POST)
    if form.is_valid():
        try:
            services.pair_end(actor=request.user, pair=pair, ends_on=form.cleaned_data["ends_on"],
                              reason=form.cleaned_data["reason"])
        except services.PairingInvalid as error:
            _apply_errors(form, error)
        except services.PairingStale as error:
            messages.error(request, str(error))
            return redirect("programme:pair_detail", pair.pk)
        else:
            messages.success(request, _("The pair has ended."))
            return redirect("programme:pair_detail", pair.pk)
    return _render_pair(request, pair, end_form=form)


@campaign_staff_required
@require_POST
def pair_task_add(request, pk: int):
    pair = _pair_for_write(request, pk)
    if not manages_pairs(request.user):
        raise Http404
    form = PairTaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.pair_task_add(actor=request.user, pair=pair, title=data["title"], kind=data["kind"],
                                   due_on=data["due_on"], description=data["description"])
        except services.PairingInvalid as error:
            _apply_errors(form, error)
        except services.PairingStale as error:
            messages.error(request, str(error))
            return redirect("programme:pair_detail", pair.pk)
        else:
            messages.success(request, _("The task is added."))
            return redirect("programme:pair_detail", pair.pk)
    return _render_pair(request, pair, task_form=form)


def _task_for_write(request, pk: int) -> PairTask:
    _require_pairing(request.user)
    return get_object_or_404(PairTask.objects.visible_to(request.user).select_related("pair"), pk=pk)


@campaign_staff_required
@require_POST
def pair_task_done(request, pk: int):
    task = _task_for_write(request, pk)
    if not services.works_for_pair(request.user, task.pair):
        raise Http404
    form = PairTaskDoneForm(request.POST, request.FILES, auto_id=f"id_done{task.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            photos = _photos(data["photos"], task.pair_id)
            services.pair_task_complete(actor=request.user, task=task, done_on=data["done_on"], note=data["note"],
                                        photos=photos, expected_status=data["expected_status"] or None)
        except PhotoError as error:
            form.add_error("photos", str(error))
        except services.PairingInvalid as error:
            _apply_errors(form, error)
        except services.PairingStale as error:
            messages.error(request, str(error))
            return redirect("programme:pair_detail", task.pair_id)
        else:
            messages.success(request, _("The task is recorded as done."))
            return redirect("programme:pair_detail", task.pair_id)
    pair = get_object_or_404(selectors.pairs_for(request.user, today=_today()), pk=task.pair_id)
    return _render_pair(request, pair, done_form=form, done_task_id=task.pk)


@campaign_staff_required
@require_POST
def pair_task_move(request, pk: int, move: str):
    """HQ cancels a planned task or reopens a done one, with a reason."""
    task = _task_for_write(request, pk)
    if not manages_pairs(request.user) or move not in ("cancel", "reopen"):
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why."))
        return redirect("programme:pair_detail", task.pair_id)
    service = services.pair_task_cancel if move == "cancel" else services.pair_task_reopen
    try:
        service(actor=request.user, task=task, reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"] or None)
    except services.PairingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The task is cancelled.") if move == "cancel" else _("The task is reopened."))
    return redirect("programme:pair_detail", task.pair_id)


@campaign_staff_required
@require_POST
def pair_visit_record(request, pk: int):
    pair = _pair_for_write(request, pk)
    if not services.works_for_pair(request.user, pair):
        raise Http404
    form = PairVisitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            photos = _photos(data["photos"], pair.pk)
            services.pair_visit_record(actor=request.user, pair=pair, visited_on=data["visited_on"],
                                       visitors=data["visitors"], work_done=data["work_done"], photos=photos)
        except PhotoError as error:
            form.add_error("photos", str(error))
        except services.PairingInvalid as error:
            _apply_errors(form, error)
        except services.PairingStale as error:
            messages.error(request, str(error))
            return redirect("programme:pair_detail", pair.pk)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("programme:pair_detail", pair.pk)
    return _render_pair(request, pair, visit_form=form)


@campaign_staff_required
@require_GET
def unit_pairs(request, unit_id: int):
    user = request.user
    _require_pairing(user)
    unit = get_object_or_404(Unit.objects.visible_to(user), pk=unit_id)
    pairs = selectors.pairs_for(user, today=_today()).filter(unit=unit)
    if not pairs.exists() and not sees_all_pairs(user) and user.unit_id != unit.pk:
        raise Http404
    pairs = list(pairs.order_by("-active", "community__name"))
    return render(request, "programme/pairing/unit_pairs.html", {
        "unit": unit, "pairs": pairs, "total": selectors.total_progress(pairs)})


@campaign_staff_required
@require_GET
def task_list(request):
    """The pair tasks in scope (the task home's "pair tasks due" opens it with ``due=soon``)."""
    user = request.user
    _require_pairing(user)
    today = _today()
    soon = request.GET.get("due") == "soon"
    tasks = (selectors.tasks_due(user, today=today) if soon
             else PairTask.objects.visible_to(user).select_related("pair__unit", "pair__community"))
    filterset = PairTaskFilterSet(request.GET or None, queryset=tasks, request=request)
    bootstrap_form(filterset.form)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else tasks
    page = Paginator(rows.order_by("due_on", "id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programme/pairing/task_list.html", {
        "filterset": filterset, "page": page, "today": today, "soon": soon})


@campaign_staff_required
@require_GET
def community_list(request):
    user = request.user
    _require_pairing(user)
    communities = Community.objects.visible_to(user).select_related("district")
    filterset = CommunityFilterSet(request.GET or None, queryset=communities, request=request)
    bootstrap_form(filterset.form)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else communities
    page = Paginator(rows.order_by("district__code", "street_office", "name"), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "programme/pairing/community_list.html", {
        "filterset": filterset, "page": page, "may_import": may_import_communities(user)})


def _pack(data: bytes) -> str:
    return signing.dumps(base64.b64encode(zlib.compress(data)).decode(), salt=IMPORT_SALT)


def _unpack(token: str) -> bytes:
    return zlib.decompress(base64.b64decode(signing.loads(token, salt=IMPORT_SALT, max_age=3600)))


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def community_import(request):
    """Upload → preview (every row's error by row and column, or what will be written) → confirm.
    The confirmed file travels back signed and is checked again before anything is written."""
    user = request.user
    if not may_import_communities(user):
        raise Http404
    districts = District.objects.visible_to(user)
    if request.method == "POST" and request.POST.get("token"):
        try:
            data = _unpack(request.POST["token"])
        except (signing.BadSignature, ValueError, zlib.error):
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("programme:community_import")
        plan = plan_communities(data, districts=districts)
        try:
            created = communities_import(actor=user, plan=plan)
        except CommunityImportError as error:
            messages.error(request, str(error))
            return render(request, "programme/pairing/community_import.html", {
                "form": CommunityImportForm(), "plan": plan})
        messages.success(request, _("%(count)s communities imported.") % {"count": len(created)})
        return redirect("programme:community_list")
    form = CommunityImportForm(request.POST or None, request.FILES or None)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        plan = plan_communities(data, districts=districts)
        token = _pack(data) if plan.ok else None
    return render(request, "programme/pairing/community_import.html", {"form": form, "plan": plan, "token": token})
