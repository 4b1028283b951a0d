"""The ledger's pages: the list, a problem and its actions, recording, photos, my tasks, bulk
assignment and problem classes.

Everything is loaded through ``Problem.objects.visible_to(request.user)`` (out of scope is a
404); the buttons shown are ``rules.allowed_actions``; every change goes through one service
in ledger/services.py, with the version the user saw, so a stale move is refused.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, DateField, F, Prefetch, Q, Value, When
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaign import tasks_home
from campaign.choices import Role
from campaign.expressions import kept_values_with_related
from campaign.filters import ScopedFilterSet, is_shared_form_class
from campaign.forms import bootstrap_form
from campaign.storage import stored_file_response
from campaign.views.structure import campaign_staff_required
from campaign.widgets import python_widget_renderer
from campaign.write_scope import OutOfScope

from .. import services
from ..choices import OPEN_STATUSES, Action, PhotoKind
from ..class_suggest import suggest_classes
from ..filters import ProblemFilterSet
from ..forms import (
    ACTION_FORMS,
    BulkAssignForm,
    ProblemRecordForm,
)
from ..models import EvidencePhoto, Problem
from ..pagination import Ordering, SortKey, bounded_count, cursor_at, keyset_page, page_count
from ..photos import PhotoError, photo_store
from ..rules import ROLES, TRANSITIONS, allowed_actions, refusal, role_of
from ..selectors import suggested_unit
from ..services import LedgerConflict, LedgerError, LedgerForbidden, LedgerInvalid
from ..templatetags.ledger_ui import LIST_ROW_VALUES, fields_key

PER_PAGE = 50
COUNT_LIMIT = 500  # the list counts matches up to here and then says "500+"
TASKS_PREVIEW = 5  # rows of each group shown on the task home; its link lists them all
LIST_RELATED = ("district", "category", "responsible_unit", "sample_point", "team")

# The list's sort orders: each is a total order that a keyset page can seek in.
SORTS = {
    "-found": (gettext_lazy("Newest found first"), Ordering((SortKey("found_at", descending=True),))),
    "found": (gettext_lazy("Oldest found first"), Ordering((SortKey("found_at"),))),
    "deadline": (gettext_lazy("Deadline, soonest first"), Ordering((SortKey("deadline", nullable=True),))),
    "-deadline": (gettext_lazy("Deadline, latest first"),
                  Ordering((SortKey("deadline", descending=True, nullable=True),))),
    "overdue": (gettext_lazy("Most days overdue first"), Ordering((SortKey("overdue_since", nullable=True),))),
}
DEFAULT_SORT = "-found"
JUMP_SORTS = ("-found", "found")  # a jump to a date is a jump in the found date

ACTION_SLUGS = {action: action.replace("_", "-") for action in ACTION_FORMS}


def _problem_url(problem) -> str:
    return reverse("ledger:problem_detail", args=[problem.pk])


def _with_overdue_since(queryset):
    """Annotate the deadline of overdue problems (None for the others): sorting on it puts the
    most days overdue first."""
    today = timezone.localdate()
    return queryset.annotate(
        overdue_since=Case(
            When(Q(status__in=OPEN_STATUSES, deadline__lt=today), then=F("deadline")),
            default=Value(None), output_field=DateField(),
        )
    )


def _scope_choices(filterset, user):
    # django-filter builds a model-choice field from ``filter.queryset``: narrow that too, so
    # a filter never lists another district's units or points. A ScopedFilterSet made for this
    # user's request narrowed them already (scoping again cost a district lead's page ~1.5 ms).
    if isinstance(filterset, ScopedFilterSet) and getattr(filterset.request, "user", None) is user:
        return
    for flt in filterset.filters.values():
        queryset = getattr(flt, "queryset", None)
        if queryset is not None and hasattr(queryset, "visible_to"):
            flt.queryset = queryset.visible_to(user)


def _filter_form(filterset):
    form = bootstrap_form(filterset.form)
    form.renderer = python_widget_renderer  # the same HTML, without the template engine per widget
    either = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
    for name in ("open", "overdue", "rejected", "rebound"):
        if name in form.fields:
            form.fields[name].widget.choices = either
    status = form.fields["status"]
    status.widget = forms.CheckboxSelectMultiple(choices=status.choices, attrs={"class": "form-check-input"})
    for name in ("found_from", "found_to", "deadline_from", "deadline_to", "closed_from", "closed_to"):
        form.fields[name].widget.input_type = "date"
    return form


class FilterFormOnDemand:
    """The ledger's filter form for a page, built when the page reads it. A page whose filter
    fields come from the memo (``{% memo %}``: no filter value sent) reads only their key and
    the search box, so it builds no form (Django deep-copies the form's 22 fields each time).
    Anything else reads the form itself (``form.fields``, ``form["status"]``, …)."""

    def __init__(self, filterset):
        self.filterset = filterset

    @cached_property
    def form(self):
        return _filter_form(self.filterset)

    def __getattr__(self, name):
        return getattr(self.form, name)

    def __getitem__(self, name):
        return self.form[name]

    def __iter__(self):
        return iter(self.form)

    def memo_key_unbuilt(self, skip):
        """``filter_fields_key``'s key without building the form, or None when it must be built
        (the filter set built its form, its form class is not a shared one, or the values sent
        have an error or a label the fields did not keep). The values sent are checked by the
        form of those fields alone (``ScopedFilterSet.sent_fields_form``)."""
        filterset = self.filterset
        if "form" in self.__dict__ or not isinstance(filterset, ScopedFilterSet) or hasattr(filterset, "_form"):
            return None
        form_class = filterset.get_form_class()
        if not is_shared_form_class(form_class):
            return None
        if not filterset.is_bound or filterset.sends_no_filter():
            values = tuple((name, ()) for name in form_class.base_fields if name != skip)
            return (form_class, filterset.form_prefix, filterset.is_bound, skip, values)
        sent = filterset.sent_fields_form()
        if sent is None or sent.errors:
            return None
        return fields_key(sent, form_class, skip)

    def search_text(self) -> str:
        """The search box's value as the form's ``q`` field shows it (the last ``q`` sent);
        the template has it apart (a template reading ``form.x`` tries ``form["x"]`` first)."""
        return (self.filterset.data.get("q") or "") if self.filterset.is_bound else ""


def _jump_date(raw: str):
    """The day of the list's "jump to a date", or None for none or a date that does not exist."""
    try:
        return parse_date(raw.strip())
    except ValueError:
        return None


# The ledger's filter form, for pages above the ledger that show the same filters (the map).
scope_choices = _scope_choices
filter_form = _filter_form


def _can(action: str, user) -> bool:
    return user.is_active and role_of(user) in ROLES[action]


def _may_bulk_verify(user) -> bool:
    """Batch verification is HQ's (district leads and inspectors verify one by one, on the spot)."""
    return user.is_active and role_of(user) == Role.HQ_STAFF


# --- The ledger ----------------------------------------------------------------------------------


# Filters the ledger's indexes answer (ledger.models.Problem.Meta.indexes: by district, unit, team,
# grid or road and status; open problems by deadline): matching them twice costs little.
COUNT_ON_PAGE_FILTERS = frozenset({"status", "district", "responsible_unit", "team", "grid", "road", "open",
                                   "overdue"})


def _count_on_page(filterset, cursor) -> bool:
    """Whether the page's query counts the matches too (ledger.pagination.BoundedCount): one
    query, not two. Always for a page reached by a cursor, which is always counted; from the first
    row, when the filters sent are ones the indexes answer. The database counts whenever the page
    has a row, even when every match is on it and no count was needed, so a search (or another
    filter that may read many rows to find a few) keeps its count apart, run only when the page
    is full (page_count)."""
    if cursor or not filterset.is_bound:  # unbound: no filter at all
        return True
    sent = filterset.sent_fields()
    if sent is None:
        return False
    # A field sent empty ("Apply" on an empty form) filters nothing, as one not sent.
    data = filterset.data
    return COUNT_ON_PAGE_FILTERS.issuperset(name for name in sent if any(data.getlist(name)))


@campaign_staff_required
def problem_list(request):
    user = request.user
    # The rows as values (LIST_ROW_VALUES), no model instance per problem, related names by
    # subselects (campaign.expressions.RelatedColumn, not a five-table join), the query built once.
    visible = kept_values_with_related(Problem, LIST_ROW_VALUES).visible_to(user)
    filterset = ProblemFilterSet(request.GET or None, queryset=visible, request=request)
    _scope_choices(filterset, user)
    form = FilterFormOnDemand(filterset)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT
    jump = _jump_date(request.GET.get("jump", ""))
    cursor = request.GET.get("cursor")
    if jump is not None and not cursor:
        # A jump to a day positions the keyset cursor there (no OFFSET): newest first, the page
        # starts with the last problem found on that day; oldest first, with its first one.
        if sort not in JUMP_SORTS:
            sort = DEFAULT_SORT
        day = jump + timedelta(days=1) if sort == "-found" else jump
        start = timezone.make_aware(datetime.combine(day, time.min))
        cursor = cursor_at(SORTS[sort][1], start)
    matches = filterset.qs
    rows = matches
    if sort == "overdue":
        rows = _with_overdue_since(rows)  # the sort's key, added to the rows' values
    page = keyset_page(rows, SORTS[sort][1], cursor,
                       per_page=PER_PAGE, count=(matches, COUNT_LIMIT) if _count_on_page(filterset, cursor) else None)
    count_url = None
    if page.counted is None and page.from_start and page.has_next:
        # The page runs on and its query did not count its matches (a search, which may be slow
        # to run twice): the rows are shown now and the count comes after them, asked for by
        # static/js/app.js at problem_count. A count never holds the rows back; without script
        # the line says "more than" a page.
        count, more = len(page), True
        count_url = reverse("ledger:problem_count") + "?" + _list_filters(request.GET).urlencode()
    else:
        count, more = page_count(page, matches, COUNT_LIMIT)
    filtered = any(v for k, v in request.GET.items() if k not in ("cursor", "sort", "jump"))
    context = {
        "form": form,
        "search_text": form.search_text(),
        "page": page,
        "count": count,
        "more": more,
        "count_url": count_url,
        "filtered": filtered,
        "sort": sort,
        "jump": jump,
        "sorts": [(key, label) for key, (label, _o) in SORTS.items()],
        "can_assign": _can(Action.ASSIGN, user),
        "can_bulk_verify": _may_bulk_verify(user),
        "can_record": _can(Action.RECORD, user),
    }
    context["bulk"] = context["can_assign"] or context["can_bulk_verify"]
    return render(request, "ledger/problem_list.html", context)


def _list_filters(query: QueryDict) -> QueryDict:
    """The list's filters of a query string, without its place in the list (cursor, sort, jump)."""
    filters = query.copy()
    for name in ("cursor", "sort", "jump"):
        filters.pop(name, None)
    return filters


@campaign_staff_required
def problem_count(request):
    """How many problems the ledger list's filters match, counted as the list counts them (at
    most COUNT_LIMIT): ``{"count", "more", "text"}``, the text the list's count line shows. The
    list asks for it after showing its rows when its own query did not count them."""
    user = request.user
    filterset = ProblemFilterSet(_list_filters(request.GET) or None, queryset=Problem.objects.visible_to(user),
                                 request=request)
    _scope_choices(filterset, user)
    count, more = bounded_count(filterset.qs, COUNT_LIMIT)
    # No request: the line needs no context processor (menus, counts), only the active language.
    text = render_to_string("ledger/_problem_count.html", {"count": count, "more": more}).strip()
    return JsonResponse({"count": count, "more": more, "text": text})


# --- A problem -----------------------------------------------------------------------------------


def _load(request, pk: int) -> Problem:
    return get_object_or_404(
        Problem.objects.visible_to(request.user).select_related(
            "district", "category", "responsible_unit", "sample_point", "team", "found_by", "grid", "road",
            "problem_class", "rebound_of", "duplicate_of", "closing_applied_by",
        ),
        pk=pk,
    )


def _action_forms(problem, user, failed=None) -> list[dict]:
    """The forms of the actions ``user`` may take on ``problem`` now, in workflow order."""
    actions = list(allowed_actions(problem, user))
    if refusal(Action.CLASSIFY, problem, user) is None:
        actions.append(Action.CLASSIFY)
    forms = []
    for action in actions:
        if failed and failed[0] == action:
            form = failed[1]
        else:
            form = ACTION_FORMS[action](user=user, problem=problem, prefix=action)
        forms.append({
            "action": action,
            "slug": ACTION_SLUGS[action],
            "label": ACTION_LABELS[action],
            "form": form,
            "failed": bool(failed and failed[0] == action),
            "multipart": "photos" in form.fields,
            "style": ACTION_STYLES.get(action, "btn-outline-secondary"),
        })
    return forms


ACTION_LABELS = {
    Action.ASSIGN: gettext_lazy("Assign to a unit"),
    Action.REASSIGN: gettext_lazy("Reassign to another unit"),
    Action.ACKNOWLEDGE: gettext_lazy("Acknowledge and start rectifying"),
    Action.APPLY_CLOSE: gettext_lazy("Apply to close"),
    Action.APPROVE: gettext_lazy("Verify and close"),
    Action.REJECT: gettext_lazy("Reject the closing"),
    Action.INVALIDATE: gettext_lazy("Mark invalid"),
    Action.REBOUND: gettext_lazy("Record a rebound"),
    Action.CLASSIFY: gettext_lazy("Put in a problem class"),
}
ACTION_STYLES = {
    Action.ASSIGN: "btn-success",
    Action.ACKNOWLEDGE: "btn-success",
    Action.APPLY_CLOSE: "btn-success",
    Action.APPROVE: "btn-success",
    Action.REJECT: "btn-outline-danger",
    Action.INVALIDATE: "btn-outline-danger",
}
ACTION_DONE = {
    Action.ASSIGN: gettext_lazy("Problem %(code)s was assigned."),
    Action.REASSIGN: gettext_lazy("Problem %(code)s was reassigned."),
    Action.ACKNOWLEDGE: gettext_lazy("Problem %(code)s is now in rectification."),
    Action.APPLY_CLOSE: gettext_lazy("The closing of problem %(code)s was applied for; it awaits verification."),
    Action.APPROVE: gettext_lazy("Problem %(code)s was verified and closed."),
    Action.REJECT: gettext_lazy("The closing of problem %(code)s was rejected; it is back in rectification."),
    Action.INVALIDATE: gettext_lazy("Problem %(code)s was marked invalid."),
    Action.REBOUND: gettext_lazy("The rebound was recorded as problem %(code)s."),
    Action.CLASSIFY: gettext_lazy("The problem class of %(code)s was changed."),
}


def _render_detail(request, problem, *, failed=None, status=200):
    user = request.user
    events = list(
        problem.events.select_related("actor").prefetch_related(
            Prefetch("photos", queryset=EvidencePhoto.objects.order_by("id"))
        ).order_by("seq")
    )
    photos = [photo for event in events for photo in event.photos.all()]
    visible = Problem.objects.visible_to(user)
    context = {
        "problem": problem,
        "events": events,
        "before_photos": [p for p in photos if p.kind == PhotoKind.BEFORE],
        "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
        "rebounds": list(visible.filter(rebound_of=problem).only("pk", "code", "status", "found_at")),
        "duplicates": list(visible.filter(duplicate_of=problem).only("pk", "code", "status")),
        "rebound_of_visible": problem.rebound_of_id and visible.filter(pk=problem.rebound_of_id).exists(),
        "duplicate_of_visible": problem.duplicate_of_id and visible.filter(pk=problem.duplicate_of_id).exists(),
        "actions": _action_forms(problem, user, failed),
        "class_suggestions": _class_suggestions(problem, user),
    }
    return render(request, "ledger/problem_detail.html", context, status=status)


def _class_suggestions(problem, user) -> list:
    """The classes the ledger suggests for a problem not yet in one, for whoever may classify it
    (ledger/class_suggest.py explains the rule); accepting one is the classify action."""
    if problem.problem_class_id or refusal(Action.CLASSIFY, problem, user) is not None:
        return []
    return suggest_classes(user=user, description=problem.description, category=problem.category_id,
                           sample_point=problem.sample_point_id, district=problem.district_id)


@campaign_staff_required
def problem_detail(request, pk: int):
    return _render_detail(request, _load(request, pk))


def _precheck(action: str, problem, user, version: int) -> None:
    """Refuse before storing any photo: the services check again under the row lock."""
    if version != problem.version:
        raise LedgerConflict(
            _("Someone else changed problem %(code)s since you opened it; reload and try again.")
            % {"code": problem.code}
        )
    reason = refusal(action, problem, user)
    if reason is not None:
        allowed_from = TRANSITIONS.get(action, (None,))[0]
        if allowed_from is not None and problem.status not in allowed_from:
            raise LedgerConflict(reason)
        raise LedgerForbidden(reason)


def _perform(action: str, problem, data: dict, photos, user) -> Problem:
    version = data["version"]
    if action in (Action.ASSIGN, Action.REASSIGN):
        return services.problem_assign(problem=problem, unit=data["unit"], deadline=data["deadline"], by=user,
                                       expected_version=version, note=data["note"])
    if action == Action.ACKNOWLEDGE:
        return services.problem_acknowledge(problem=problem, by=user, expected_version=version, note=data["note"])
    if action == Action.APPLY_CLOSE:
        return services.problem_apply_close(problem=problem, note=data["note"], photos=photos, by=user,
                                            expected_version=version)
    if action in (Action.APPROVE, Action.REJECT):
        return services.problem_verify(problem=problem, approved=action == Action.APPROVE, note=data["note"],
                                       by=user, expected_version=version)
    if action == Action.INVALIDATE:
        return services.problem_invalidate(problem=problem, reason=data["reason"], by=user,
                                           duplicate_of=data["duplicate_of"], expected_version=version)
    if action == Action.REBOUND:
        return services.problem_record_rebound(original=problem, by=user, description=data["description"],
                                               photos=photos)
    if action == Action.CLASSIFY:
        return services.problem_classify(problem=problem, problem_class=data["problem_class"], by=user,
                                         expected_version=version)
    raise Http404


@require_POST
@campaign_staff_required
def problem_act(request, pk: int, action: str):
    """Take one action on a problem. A stale or illegal move: a message and back to the page
    (nothing changed). Not allowed: 403. Bad input or a bad photo: the page with the error."""
    action = action.replace("-", "_")
    if action not in ACTION_FORMS:
        raise Http404
    user = request.user
    problem = _load(request, pk)
    raw_version = request.POST.get(f"{action}-version", "")
    if not raw_version.isdigit():
        messages.error(request, _("The form was incomplete; please try again."))
        return redirect(_problem_url(problem))
    form = ACTION_FORMS[action](request.POST, request.FILES, user=user, problem=problem, prefix=action)
    try:
        _precheck(action, problem, user, int(raw_version))
        if not form.is_valid():
            return _render_detail(request, problem, failed=(action, form), status=400)
        photos = [photo_store(upload, problem_id=problem.pk) for upload in form.cleaned_data.get("photos", [])]
        result = _perform(action, problem, form.cleaned_data, photos, user)
    except LedgerConflict as error:
        messages.error(request, str(error))
        return redirect(_problem_url(problem))
    except LedgerForbidden as error:
        raise PermissionDenied(str(error)) from None
    except PhotoError as error:
        form.add_error("photos", str(error))
        return _render_detail(request, problem, failed=(action, form), status=400)
    except LedgerInvalid as error:
        form.add_error(None, str(error))
        return _render_detail(request, problem, failed=(action, form), status=400)
    except OutOfScope as error:
        form.add_error(None, error)
        return _render_detail(request, problem, failed=(action, form), status=400)
    messages.success(request, ACTION_DONE[action] % {"code": result.code})
    return redirect(_problem_url(result))


# --- Recording -----------------------------------------------------------------------------------


@campaign_staff_required
def problem_record(request):
    user = request.user
    if not _can(Action.RECORD, user):
        raise PermissionDenied
    form = ProblemRecordForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Not recorded yet: its photos go to a shared folder (ledger.photos names them uniquely).
            photos = [photo_store(upload, problem_id=0) for upload in data["photos"]]
            problem = services.problem_record(
                by=user, category=data["category"], sample_point=data["sample_point"], district=data["district"],
                description=data["description"], source=data["source"], source_ref=data["source_ref"],
                severity=data["severity"], address=data["address"], latitude=data["latitude"],
                longitude=data["longitude"], grid=data["grid"], road=data["road"], photos=photos,
                problem_class=data.get("problem_class"),
            )
        except LedgerForbidden as error:
            raise PermissionDenied(str(error)) from None
        except PhotoError as error:
            form.add_error("photos", str(error))
        except LedgerInvalid as error:
            form.add_error(None, str(error))
        except OutOfScope as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Problem %(code)s was recorded.") % {"code": problem.code})
            return redirect(_problem_url(problem))
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/problem_record.html", {"form": form}, status=status)


# --- Photos --------------------------------------------------------------------------------------


@login_required
def photo(request, pk: int, thumbnail: bool = False):
    """A photo, only for someone who may see its problem (404 otherwise), never cached publicly."""
    item = get_object_or_404(
        EvidencePhoto.objects.filter(problem__in=Problem.objects.visible_to(request.user).values("pk")), pk=pk
    )
    name = (item.thumbnail if thumbnail else item.image).name
    return stored_file_response(name, content_type="image/jpeg", cache_seconds=3600)


# --- My tasks ------------------------------------------------------------------------------------


@campaign_staff_required
def my_tasks(request):
    """Everyone's task home: each group the apps registered for the user's role
    (campaign/tasks_home.py), counted afresh, with its first rows and a link to all of them."""
    user = request.user
    numbers = tasks_home.counts(user, fresh=True)
    groups = []
    for group in tasks_home.groups_for(user):
        count = numbers[group.key]
        rows = group.preview(user, TASKS_PREVIEW) if group.preview and count else []
        groups.append({"key": group.key, "label": group.label, "count": count, "url": group.url(user),
                       "rows": rows, "template": group.preview_template})
    return render(request, "ledger/my_tasks.html", {
        "groups": groups,
        "empty": not any(group["count"] for group in groups),
    })


# --- Bulk actions --------------------------------------------------------------------------------
# The ledger's list posts the ticked problems here, with its own query string in ``back``: after
# the action the user returns to the same filtered list (only a query string travels, never a URL).

BULK_RELATED = (*LIST_RELATED, "sample_point__responsible_unit", "team__lead_unit")


def _back_query(source) -> str:
    """The list's query string the bulk form came from, re-encoded (it is never a URL)."""
    return QueryDict(source.get("back", "")).urlencode()


def _back_to_list(source):
    query = _back_query(source)
    return redirect(reverse("ledger:problem_list") + (f"?{query}" if query else ""))


def _ticked(source) -> list[int]:
    return [int(v) for v in source.getlist("problems") if v.isdigit()]


def _versions(source, ids) -> dict[int, int]:
    raw = {pk: source.get(f"version-{pk}", "") for pk in ids}
    return {pk: int(value) for pk, value in raw.items() if value.isdigit()}


@campaign_staff_required
def bulk_assign(request):
    user = request.user
    if not _can(Action.ASSIGN, user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    ids = _ticked(source)
    # From the list (GET, or POST with step=choose) the form is shown; its own POST assigns.
    choosing = request.method == "GET" or source.get("step") == "choose"
    candidates = Problem.objects.visible_to(user).filter(pk__in=ids).select_related(*BULK_RELATED)
    if choosing:
        form = BulkAssignForm(initial={"problems": ids}, user=user, problems=candidates)
    else:
        form = BulkAssignForm(request.POST, user=user, problems=candidates)
    refused = []
    if not choosing and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["problems"].order_by("found_at", "id"))
        per_problem = data["mode"] == BulkAssignForm.SUGGESTED
        units = {problem.pk: suggested_unit(problem) for problem in chosen} if per_problem else None
        try:
            refused = services.problem_assign_many(
                problems=chosen, unit=None if per_problem else data["unit"], units=units,
                deadline=data["deadline"], note=data["note"], versions=_versions(request.POST, ids), by=user,
            )
        except OutOfScope as error:
            form.add_error(None, error)
        else:
            if not refused:
                if per_problem:
                    messages.success(request, _("%(count)s problems were assigned, each to its suggested unit.")
                                     % {"count": len(chosen)})
                else:
                    messages.success(request, _("%(count)s problems were assigned to %(unit)s.")
                                     % {"count": len(chosen), "unit": data["unit"]})
                return _back_to_list(request.POST)
            messages.error(request, _("Nothing was assigned: %(count)s of the problems were refused.")
                           % {"count": len(refused)})
    problems = list(candidates.order_by("found_at", "id"))
    for problem in problems:
        problem.suggested = suggested_unit(problem)
    return render(request, "ledger/bulk_assign.html", {
        "form": form,
        "problems": problems,
        "refused": refused,
        "selected": set(ids),
        "back": _back_query(source),
    }, status=400 if not choosing else 200)


@require_POST
@campaign_staff_required
def bulk_verify(request):
    """Verify and close each ticked problem whose closing was applied for (HQ staff): each goes
    through problem_verify on its own, with its own event; a problem that cannot move is
    reported with its reason and the others are still verified."""
    user = request.user
    if not _may_bulk_verify(user):
        raise PermissionDenied
    ids = _ticked(request.POST)
    versions = _versions(request.POST, ids)
    problems = Problem.objects.visible_to(user).filter(pk__in=ids).order_by("found_at", "id")
    verified, refused = 0, []
    for problem in problems:
        try:
            services.problem_verify(problem=problem, approved=True, by=user, expected_version=versions.get(problem.pk))
        except LedgerError as error:
            refused.append(f"{problem.code}: {error}")
        else:
            verified += 1
    if not ids:
        messages.error(request, _("Tick the problems to verify first."))
    elif refused:
        messages.warning(request, _("%(verified)s verified, %(refused)s refused: %(reasons)s")
                         % {"verified": verified, "refused": len(refused), "reasons": "; ".join(refused)})
    else:
        messages.success(request, _("%(verified)s verified.") % {"verified": verified})
    return _back_to_list(request.POST)


routes = [
    path("problems/", problem_list, name="problem_list"),
    path("problems/count/", problem_count, name="problem_count"),
    path("problems/new/", problem_record, name="problem_record"),
    path("problems/bulk-assign/", bulk_assign, name="bulk_assign"),
    path("problems/bulk-verify/", bulk_verify, name="bulk_verify"),
    path("problems/<int:pk>/", problem_detail, name="problem_detail"),
    path("problems/<int:pk>/<slug:action>/", problem_act, name="problem_act"),
    path("photos/<int:pk>/", photo, name="photo"),
    path("photos/<int:pk>/thumb/", photo, {"thumbnail": True}, name="photo_thumbnail"),
    path("my-tasks/", my_tasks, name="my_tasks"),
]
