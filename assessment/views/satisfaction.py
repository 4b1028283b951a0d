"""HQ's pages of the public-satisfaction survey (set up, link and QR code to print) and the
results (HQ and leaders: the city; a district lead: their district), with the Excel workbook."""

import io
from datetime import date
from functools import wraps

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.choices import AuditAction
from campaign.forms import bootstrap_form
from campaign.models import District
from campaign.services.audit import audit_record

from ..exports.satisfaction import write_results_workbook
from ..forms.satisfaction import QuestionForm, SurveyForm
from ..models import SatisfactionSurvey, SurveyQuestion
from ..models.satisfaction import SATISFIED_RULE
from ..selectors.satisfaction import (
    can_see_results,
    results_district_scope,
    survey_results,
    surveys_visible_to,
)
from ..services import satisfaction as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def hq_only(view):
    """HQ staff only; anyone else gets a 404 (as an object out of scope)."""

    @_signed_in
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_manage_structure:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def results_readers(view):
    @_signed_in
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_see_results(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def public_link(request, survey: SatisfactionSurvey) -> str:
    path = reverse("survey_answer", args=[survey.slug])
    base = settings.PUBLIC_SURVEY_BASE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        field = "options_text" if field == "options" else field
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


@results_readers
@require_GET
def survey_list(request):
    surveys = surveys_visible_to(request.user).select_related("created_by")
    return render(request, "assessment/satisfaction/survey_list.html", {
        "surveys": surveys, "can_edit": request.user.can_manage_structure, "rule": SATISFIED_RULE})


@hq_only
@require_http_methods(["GET", "POST"])
def survey_create(request):
    form = SurveyForm(request.POST or None, initial={"opens_on": timezone.localdate(), "target_rate": 90})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("assessment:survey_detail", pk=survey.pk)
    return render(request, "assessment/satisfaction/survey_form.html", {"form": bootstrap_form(form)},
                  status=400 if form.errors else 200)


@hq_only
@require_http_methods(["GET", "POST"])
def survey_detail(request, pk: int):
    survey = get_object_or_404(SatisfactionSurvey, pk=pk)
    form = SurveyForm(instance=survey)
    question_form = QuestionForm(prefix="q", initial={"required": True, "active": True})
    status = 200
    if request.method == "POST":
        if "add_question" in request.POST:
            question_form = QuestionForm(request.POST, prefix="q")
            if question_form.is_valid():
                data = question_form.cleaned_data
                try:
                    services.question_add(survey=survey, by=request.user, text=data["text"], text_en=data["text_en"],
                                          kind=data["kind"], options=data["options_text"], order=data["order"],
                                          required=data["required"])
                except ValidationError as error:
                    _apply_errors(question_form, error)
                else:
                    return redirect("assessment:survey_detail", pk=survey.pk)
        else:
            form = SurveyForm(request.POST, instance=SatisfactionSurvey.objects.get(pk=pk))
            if form.is_valid():
                try:
                    services.survey_update(survey=survey, by=request.user,
                                           **{name: form.cleaned_data[name] for name in form.Meta.fields})
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    return redirect("assessment:survey_detail", pk=survey.pk)
        status = 400
    return render(request, "assessment/satisfaction/survey_detail.html", {
        "survey": survey, "form": bootstrap_form(form), "question_form": bootstrap_form(question_form),
        "questions": survey.questions.order_by("order", "pk"), "link": public_link(request, survey),
        "changes": survey.changes.select_related("by", "question")[:50], "rule": SATISFIED_RULE}, status=status)


@hq_only
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int, question_pk: int):
    question = get_object_or_404(SurveyQuestion, pk=question_pk, survey_id=pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = question.order if data["order"] is None else data["order"]
            services.question_update(question=question, by=request.user, order=order, text=data["text"],
                                     text_en=data["text_en"], kind=data["kind"], options=data["options_text"],
                                     required=data["required"], active=data["active"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("assessment:survey_detail", pk=pk)
    question.refresh_from_db()
    return render(request, "assessment/satisfaction/question_form.html", {
        "survey": question.survey, "question": question, "form": bootstrap_form(form)},
        status=400 if form.errors else 200)


@hq_only
@require_GET
def survey_qr(request, pk: int):
    """The public link as an SVG QR code (made here, no outside service), for HQ to print."""
    survey = get_object_or_404(SatisfactionSurvey, pk=pk)
    buffer = io.BytesIO()
    segno.make(public_link(request, survey), error="m").save(buffer, kind="svg", scale=8, border=4,
                                                             title=survey.label, xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-qr.svg"'
    return response


@hq_only
@require_GET
def survey_poster(request, pk: int):
    """An A4 page to print: the title, the QR code and the link."""
    survey = get_object_or_404(SatisfactionSurvey, pk=pk)
    return render(request, "assessment/satisfaction/poster.html", {"survey": survey, "link": public_link(request, survey)})


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


DISTRICT_FIELD = forms.IntegerField(min_value=1, max_value=2**31 - 1)


def _results_args(request) -> tuple[dict, dict]:
    """The selector's arguments from the query string, the district narrowed to the user's scope
    (a district lead cannot ask for another district: it is theirs whatever they ask)."""
    scope = results_district_scope(request.user)
    asked = request.GET.get("district", "")
    district_id = scope
    errors = {}
    if scope is None and asked:
        try:
            district_id = DISTRICT_FIELD.clean(asked)
        except ValidationError:
            errors["district"] = _("Choose a district from the list.")
    since, until = _parse_day(request.GET.get("since")), _parse_day(request.GET.get("until"))
    if request.GET.get("since") and since is None:
        errors["since"] = _("Give the date as YYYY-MM-DD.")
    if request.GET.get("until") and until is None:
        errors["until"] = _("Give the date as YYYY-MM-DD.")
    trend = "month" if request.GET.get("trend") == "month" else "week"
    return {"since": since, "until": until, "district_id": district_id, "trend": trend}, errors


@results_readers
@require_GET
def survey_results_page(request, pk: int):
    survey = get_object_or_404(surveys_visible_to(request.user), pk=pk)
    args, errors = _results_args(request)
    results = survey_results(survey=survey, **args)
    districts = District.objects.order_by("code") if results_district_scope(request.user) is None else []
    return render(request, "assessment/satisfaction/results.html", {
        "survey": survey, "results": results, "args": args, "errors": errors, "rule": SATISFIED_RULE,
        "districts": districts, "query": request.GET.urlencode(),
        "can_edit": request.user.can_manage_structure}, status=400 if errors else 200)


@results_readers
@require_GET
def survey_results_export(request, pk: int):
    survey = get_object_or_404(surveys_visible_to(request.user), pk=pk)
    args, errors = _results_args(request)
    if errors:
        return HttpResponse("; ".join(f"{name}: {message}" for name, message in errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    results = survey_results(survey=survey, **args)
    buffer = io.BytesIO()
    write_results_workbook(results, buffer)
    audit_record(action=AuditAction.EXPORT, request=request, target=f"satisfaction-results:{survey.pk}",
                 details={"filters": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in args.items()},
                          "delivery": "direct", "format": "xlsx", "rows": results["overall"]["responses"]})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="satisfaction-{survey.slug}.xlsx"'
    return response
