"""Problem classes' pages: the list with states and counts, opening a class, a class's page
with its cause, measure, closing, before/after counts and problems, and its actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required
from campaign.write_scope import OutOfScope

from .. import class_services, services
from ..choices import OPEN_STATUSES, Action, ClassAction, ClassStatus
from ..class_forms import CLASS_ACTION_FORMS
from ..class_rules import CLASS_TRANSITIONS, allowed_class_actions, class_refusal
from ..class_selectors import TASK_LISTS, class_before_after
from ..forms import ClassAddProblemsForm, ProblemClassForm
from ..models import Problem, ProblemClass, ProblemClassPhoto
from ..pagination import bounded_count, keyset_page, page_count
from ..photos import PhotoError, class_photo_store
from ..services import LedgerConflict, LedgerError, LedgerForbidden, LedgerInvalid
from .problems import COUNT_LIMIT, DEFAULT_SORT, LIST_RELATED, PER_PAGE, SORTS, _can

CLASS_RELATED = ("category", "created_by", "responsible_unit", "district", "closing_applied_by", "verified_by")

ACTION_LABELS = {
    ClassAction.MEASURE_SET: (gettext_lazy("Set the cause and measure"), "btn-primary"),
    ClassAction.APPLY_CLOSE: (gettext_lazy("Apply to close the class"), "btn-success"),
    ClassAction.VERIFY: (gettext_lazy("Verify the measure and close"), "btn-success"),
    ClassAction.REJECT: (gettext_lazy("Reject the closing"), "btn-outline-danger"),
}
ACTION_DONE = {
    ClassAction.MEASURE_SET: gettext_lazy("The measure of class %(code)s was set."),
    ClassAction.APPLY_CLOSE: gettext_lazy("Closing of class %(code)s was applied for."),
    ClassAction.VERIFY: gettext_lazy("The measure of class %(code)s was verified; the class is closed."),
    ClassAction.REJECT: gettext_lazy("The closing of class %(code)s was rejected."),
}


@campaign_staff_required
def class_list(request):
    user = request.user
    counts = {
        row["problem_class"]: row
        for row in Problem.objects.visible_to(user).filter(problem_class__isnull=False)
        .values("problem_class").annotate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by()
    }
    task = request.GET.get("task", "")
    if task in TASK_LISTS:  # a task home group's link: exactly its rows
        classes = TASK_LISTS[task](user)
    else:
        classes = ProblemClass.objects.visible_to(user)
    classes = classes.select_related("category", "responsible_unit")
    status = request.GET.get("status", "")
    if status in ClassStatus.values:
        classes = classes.filter(status=status)
    classes = list(classes)
    for item in classes:
        row = counts.get(item.pk, {})
        item.total, item.still_open = row.get("total", 0), row.get("open", 0)
    return render(request, "ledger/class_list.html", {
        "classes": classes, "can_create": _can(Action.CLASSIFY, user), "statuses": ClassStatus.choices,
        "status": status,
    })


@campaign_staff_required
def class_create(request):
    user = request.user
    if not _can(Action.CLASSIFY, user):
        raise PermissionDenied
    form = ProblemClassForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.problem_class_create(by=user, **form.cleaned_data)
        except LedgerForbidden as error:
            raise PermissionDenied(str(error)) from None
        except LedgerInvalid as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Problem class %(code)s was opened.") % {"code": item.code})
            return redirect("ledger:class_detail", pk=item.pk)
    return render(request, "ledger/class_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _load(request, pk: int) -> ProblemClass:
    return get_object_or_404(ProblemClass.objects.visible_to(request.user).select_related(*CLASS_RELATED), pk=pk)


def _action_forms(item, user, failed=None) -> list[dict]:
    forms = []
    for action in allowed_class_actions(item, user):
        if failed and failed[0] == action:
            form = failed[1]
        else:
            form = CLASS_ACTION_FORMS[action](user=user, item=item, prefix=action)
        label, style = ACTION_LABELS[action]
        forms.append({"action": action, "slug": action.replace("_", "-"), "form": form, "label": label,
                      "style": style, "multipart": action == ClassAction.APPLY_CLOSE})
    return forms


def _render_detail(request, item, *, add_form=None, failed=None, status=200):
    user = request.user
    visible = Problem.objects.visible_to(user)
    members = visible.filter(problem_class=item)
    page = keyset_page(members.select_related(*LIST_RELATED), SORTS[DEFAULT_SORT][1], request.GET.get("cursor"),
                       per_page=PER_PAGE)
    total, more = page_count(page, members, COUNT_LIMIT)
    still_open, more_open = bounded_count(members.open(), COUNT_LIMIT)
    events = list(item.events.select_related("actor").prefetch_related("photos").order_by("at", "id"))
    if add_form is None and _can(Action.CLASSIFY, user):
        add_form = ClassAddProblemsForm(user=user)
    return render(request, "ledger/class_detail.html", {
        "item": item, "page": page, "total": total, "more": more, "still_open": still_open,
        "more_open": more_open, "form": add_form, "events": events,
        "photos": [photo for event in events for photo in event.photos.all()],
        "before_after": class_before_after(item, visible),
        "actions": _action_forms(item, user, failed),
    }, status=status)


@campaign_staff_required
def class_detail(request, pk: int):
    user = request.user
    item = _load(request, pk)
    if request.method != "POST":
        return _render_detail(request, item)
    if not _can(Action.CLASSIFY, user):
        raise PermissionDenied
    form = ClassAddProblemsForm(request.POST, user=user)
    if form.is_valid():
        problems = form.cleaned_data["codes"]
        refused = []
        with transaction.atomic():
            for problem in problems:
                try:
                    services.problem_classify(problem=problem, problem_class=item, by=user)
                except LedgerError as error:
                    refused.append(f"{problem.code}: {error}")
            if refused:
                transaction.set_rollback(True)
        if not refused:
            messages.success(request, _("%(count)s problems were put in this class.") % {"count": len(problems)})
            return redirect("ledger:class_detail", pk=item.pk)
        for line in refused:
            form.add_error("codes", line)
    return _render_detail(request, item, add_form=form, status=400)


def _perform(action: str, item, data: dict, photos, user) -> ProblemClass:
    version = data["version"]
    if action == ClassAction.MEASURE_SET:
        return class_services.class_measure_set(problem_class=item, cause=data["cause"], measure=data["measure"],
                                                unit=data["unit"], deadline=data["deadline"], note=data["note"],
                                                by=user, expected_version=version)
    if action == ClassAction.APPLY_CLOSE:
        return class_services.class_apply_close(problem_class=item, note=data["note"], photos=photos, by=user,
                                                expected_version=version)
    if action == ClassAction.VERIFY:
        return class_services.class_verify(problem_class=item, note=data["note"], by=user, expected_version=version)
    return class_services.class_reject(problem_class=item, reason=data["reason"], by=user, expected_version=version)


@campaign_staff_required
def class_act(request, pk: int, action: str):
    """One action on a class. Stale or illegal: a message and back. Not allowed: 403. Bad
    input or a bad photo: the page with the error (400)."""
    if request.method != "POST":
        raise Http404
    action = action.replace("-", "_")
    if action not in CLASS_ACTION_FORMS:
        raise Http404
    user = request.user
    item = _load(request, pk)
    form = CLASS_ACTION_FORMS[action](request.POST, request.FILES, user=user, item=item, prefix=action)
    url = reverse("ledger:class_detail", args=[item.pk])
    try:
        reason = class_refusal(action, item, user)
        if reason is not None:
            raise (LedgerConflict if item.status not in CLASS_TRANSITIONS[action][0] else LedgerForbidden)(reason)
        if not form.is_valid():
            return _render_detail(request, item, failed=(action, form), status=400)
        photos = [class_photo_store(upload, class_id=item.pk) for upload in form.cleaned_data.get("photos", [])]
        result = _perform(action, item, form.cleaned_data, photos, user)
    except LedgerConflict as error:
        messages.error(request, str(error))
        return redirect(url)
    except LedgerForbidden as error:
        raise PermissionDenied(str(error)) from None
    except PhotoError as error:
        form.add_error("photos", str(error))
        return _render_detail(request, item, failed=(action, form), status=400)
    except (LedgerInvalid, OutOfScope) as error:
        form.add_error(None, error if isinstance(error, OutOfScope) else str(error))
        return _render_detail(request, item, failed=(action, form), status=400)
    messages.success(request, ACTION_DONE[action] % {"code": result.code})
    return redirect(url)


@campaign_staff_required
def class_photo(request, pk: int, thumbnail: bool = False):
    """A class's evidence photo, only for someone who may see the class (404 otherwise)."""
    item = get_object_or_404(
        ProblemClassPhoto.objects.filter(problem_class__in=ProblemClass.objects.visible_to(request.user).values("pk")),
        pk=pk,
    )
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


routes = [
    path("classes/", class_list, name="class_list"),
    path("classes/new/", class_create, name="class_create"),
    path("classes/<int:pk>/", class_detail, name="class_detail"),
    path("classes/<int:pk>/<slug:action>/", class_act, name="class_act"),
    path("class-photos/<int:pk>/", class_photo, name="class_photo"),
    path("class-photos/<int:pk>/thumb/", class_photo, {"thumbnail": True}, name="class_photo_thumbnail"),
]
