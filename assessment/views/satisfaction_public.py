"""The public-satisfaction survey's page for residents: /survey/<slug>/, no account.

``public_page`` (campaign/public_guard): never kept by a shared cache, not indexed. One answer
per device and day: a random token in an HttpOnly cookie (its keyed digest is stored, unique per
survey, device and day), plus the per-address daily limit (``PUBLIC_LIMITS["survey"]``), the
proof of work after the address's first answer of the day, and the idempotency key (a double
tap answers with the same thanks and stores nothing again). Nothing personal is stored."""

import secrets

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaign.public_guard import (
    PublicLimitReached,
    PublicRefused,
    challenge_required,
    limit_check,
    public_page,
)
from campaign.throttling import client_address

from ..forms.satisfaction import SurveyAnswerForm
from ..models import SatisfactionSurvey, SurveyResponse
from ..services import satisfaction as services

COOKIE = "hc_survey_device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days


def _token(request) -> str:
    token = request.COOKIES.get(COOKIE, "")
    return token if 20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum() else ""


def _keep_token(request, response, token: str) -> None:
    if request.COOKIES.get(COOKIE) != token:
        response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, path="/survey/", httponly=True,
                            samesite="Lax", secure=request.is_secure())


def _message(request, survey, message: str, *, status: int = 200, kind: str = "info"):
    return render(request, "assessment/satisfaction/public_message.html",
                  {"survey": survey, "message": message, "kind": kind}, status=status)


def _thanks(request, survey):
    return render(request, "assessment/satisfaction/public_thanks.html", {"survey": survey})


@public_page
@require_http_methods(["GET", "POST"])
def survey_answer(request, slug: str):
    survey = SatisfactionSurvey.objects.filter(slug=slug).first()
    if survey is None:
        raise Http404
    address = client_address(request)
    token = _token(request)
    new_token = token or secrets.token_urlsafe(32)
    key = request.POST.get("idempotency_key", "").replace("-", "").strip().lower() if request.method == "POST" else ""
    if key and SurveyResponse.objects.filter(idempotency_key=key, survey=survey).exists():
        return _thanks(request, survey)  # a double tap or a retry of answers already recorded
    today = timezone.localdate()
    if not survey.is_open_on(today):
        return _message(request, survey, _("This survey is not open at the moment. Thank you for your interest."))
    if token and SurveyResponse.objects.filter(survey=survey, device_digest=services.device_digest(token, survey_id=survey.pk, day=today),
                                               day=today).exists():
        return _message(request, survey, services.already_answered_message(),
                        status=409 if request.method == "POST" else 200)
    questions = list(survey.questions.filter(active=True).order_by("order", "pk"))
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST)
        form.fields["proof"].required = challenge_required("survey", address=address)
        values, errors = services.answers_clean(questions, request.POST)
        if form.is_valid() and not errors:
            try:
                limit_check("survey", address=address)
                services.survey_answer_submit(
                    survey=survey, district=form.cleaned_data["district"],
                    place_category=form.cleaned_data["place_category"], answers=values, device_token=token,
                    client_address=address or "", proof=form.cleaned_data.get("proof"),
                    idempotency_key=form.cleaned_data["idempotency_key"].hex)
            except services.AlreadyAnsweredToday as refused:
                return _message(request, survey, refused.message, status=409)
            except PublicRefused as refused:
                form.add_error(None, refused)
            else:
                return _thanks(request, survey)
        status = 400
    else:
        form = SurveyAnswerForm()
        form.fields["proof"].required = challenge_required("survey", address=address)
    limit_reached = ""
    try:
        limit_check("survey", address=address)
    except PublicLimitReached as refused:
        limit_reached = refused.message
    rows = [{"question": q, "field": f"q{q.pk}", "choices": q.choices(), "error": errors.get(f"q{q.pk}"),
             "value": str(request.POST.get(f"q{q.pk}", "")) if request.method == "POST" else ""}
            for q in questions]
    response = render(request, "assessment/satisfaction/public_form.html", {
        "survey": survey, "form": form, "rows": rows, "errors": list(errors.values()),
        "limit_reached": limit_reached}, status=status)
    _keep_token(request, response, new_token)
    return response
