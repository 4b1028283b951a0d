"""Writes of the public-satisfaction survey: HQ sets up surveys and questions (each change
recorded in ``SurveyChange``); a resident's answer is recorded through the public channel's
protections (``campaign.public_guard``)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from campaign.models import Category, District
from campaign.public_guard import PublicRefused, challenge_spend, idempotent_create, limit_count

from ..models import SatisfactionSurvey, SurveyAnswer, SurveyChange, SurveyQuestion, SurveyResponse
from ..models.satisfaction import QuestionKind, answer_satisfied

SURVEY_FIELDS = ("slug", "title", "title_en", "intro", "intro_en", "target_rate", "opens_on", "closes_on", "active")
QUESTION_FIELDS = ("order", "text", "text_en", "kind", "options", "required", "active")
MAX_OPTIONS = 12


class SurveyError(ValidationError):
    """A survey or question HQ set up that cannot be (a field named in ``message_dict``)."""


class AlreadyAnsweredToday(PublicRefused):
    """This device answered the survey today."""


def _hq(user) -> None:
    if not (user and user.is_authenticated and user.can_manage_structure):
        raise PermissionDenied(_("Only HQ staff set up satisfaction surveys."))


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _record(*, survey, question=None, action: str, by, changes: dict) -> None:
    SurveyChange.objects.create(survey=survey, question=question, action=action, at=timezone.now(), by=by,
                                changes={name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()})


def survey_check(values: dict) -> None:
    """SurveyError naming each field of a survey's settings that cannot be."""
    errors = {}
    rate = values.get("target_rate")
    if rate is None or not (Decimal(0) <= Decimal(str(rate)) <= Decimal(100)):
        errors["target_rate"] = _("Give the target satisfaction rate as a percentage from 0 to 100.")
    if not (values.get("title") or "").strip():
        errors["title"] = _("Give the survey a title.")
    if values.get("closes_on") and values.get("opens_on") and values["closes_on"] < values["opens_on"]:
        errors["closes_on"] = _("The survey cannot close before it opens.")
    if errors:
        raise SurveyError(errors)


def survey_create(*, by, slug: str, title: str, title_en: str = "", intro: str = "", intro_en: str = "",
                  target_rate: Decimal, opens_on: date, closes_on: date | None = None,
                  active: bool = True) -> SatisfactionSurvey:
    """HQ creates a survey (its link name unique); recorded as a change."""
    _hq(by)
    values = {"slug": slug, "title": title, "title_en": title_en, "intro": intro, "intro_en": intro_en,
              "target_rate": Decimal(str(target_rate)), "opens_on": opens_on, "closes_on": closes_on,
              "active": active}
    survey_check(values)
    with transaction.atomic():
        if SatisfactionSurvey.objects.filter(slug=slug).exists():
            raise SurveyError({"slug": _("Another survey already uses this link name.")})
        survey = SatisfactionSurvey.objects.create(created_by=by, **values)
        _record(survey=survey, action="create", by=by, changes={name: (None, value) for name, value in values.items()})
    return survey


def survey_update(*, survey: SatisfactionSurvey, by, **fields) -> SatisfactionSurvey:
    """HQ changes a survey's settings; each changed field recorded from what to what."""
    _hq(by)
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"survey_update got unknown fields {sorted(unknown)}")
    if "target_rate" in fields:
        fields["target_rate"] = Decimal(str(fields["target_rate"]))
    with transaction.atomic():
        survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
        values = {name: fields.get(name, getattr(survey, name)) for name in SURVEY_FIELDS}
        survey_check(values)
        if values["slug"] != survey.slug and SatisfactionSurvey.objects.filter(slug=values["slug"]).exists():
            raise SurveyError({"slug": _("Another survey already uses this link name.")})
        changes = {name: (getattr(survey, name), value) for name, value in values.items()
                   if getattr(survey, name) != value}
        if changes:
            for name, (_old, new) in changes.items():
                setattr(survey, name, new)
            survey.save(update_fields=list(changes))
            _record(survey=survey, action="update", by=by, changes=changes)
    return survey


def _clean_options(kind: str, options) -> list[dict]:
    if kind != QuestionKind.CHOICE:
        return []
    cleaned = []
    for option in options or []:
        if isinstance(option, str):
            option = {"zh": option}
        if not isinstance(option, dict):
            raise SurveyError({"options": _("Each option is a text (and optionally its English text).")})
        zh, en = str(option.get("zh", "")).strip(), str(option.get("en", "")).strip()
        if zh:
            cleaned.append({"zh": zh, "en": en})
    if len(cleaned) < 2:
        raise SurveyError({"options": _("A one-choice question needs at least two options.")})
    if len(cleaned) > MAX_OPTIONS:
        raise SurveyError({"options": _("A question has at most %(count)s options.") % {"count": MAX_OPTIONS}})
    return cleaned


def question_add(*, survey: SatisfactionSurvey, by, text: str, text_en: str = "", kind: str = QuestionKind.RATING,
                 options=None, order: int | None = None, required: bool = True, active: bool = True) -> SurveyQuestion:
    """HQ adds a question (a one-choice question with 2 to 12 options)."""
    _hq(by)
    if kind not in QuestionKind.values:
        raise SurveyError({"kind": _("Choose the kind of question.")})
    if not text.strip():
        raise SurveyError({"text": _("Write the question.")})
    options = _clean_options(kind, options)
    with transaction.atomic():
        if order is None:
            order = (survey.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        question = SurveyQuestion.objects.create(survey=survey, text=text.strip(), text_en=text_en.strip(), kind=kind,
                                                 options=options, order=order, required=required, active=active)
        _record(survey=survey, question=question, action="question_add", by=by,
                changes={"text": (None, question.text), "kind": (None, kind), "options": (None, options),
                         "order": (None, order), "required": (None, required), "active": (None, active)})
    return question


def question_update(*, question: SurveyQuestion, by, **fields) -> SurveyQuestion:
    """HQ changes a question. Once answered, its kind is fixed and its options may be renamed or
    added, never removed (an answer keeps its option's number); stop asking it instead."""
    _hq(by)
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"question_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
        values = {name: fields.get(name, getattr(question, name)) for name in QUESTION_FIELDS}
        if values["kind"] not in QuestionKind.values:
            raise SurveyError({"kind": _("Choose the kind of question.")})
        if not str(values["text"]).strip():
            raise SurveyError({"text": _("Write the question.")})
        values["options"] = _clean_options(values["kind"], values["options"])
        answered = question.answers.exists()
        if answered and values["kind"] != question.kind:
            raise SurveyError({"kind": _("This question has answers: its kind cannot change. Stop asking it and add a new one.")})
        if answered and len(values["options"]) < len(question.options):
            raise SurveyError({"options": _("This question has answers: options can be renamed or added, not removed.")})
        changes = {name: (getattr(question, name), value) for name, value in values.items()
                   if getattr(question, name) != value}
        if changes:
            for name, (_old, new) in changes.items():
                setattr(question, name, new)
            question.save(update_fields=list(changes))
            _record(survey=question.survey, question=question, action="question_update", by=by, changes=changes)
    return question


# --- A resident's answer --------------------------------------------------------------------


def device_digest(token: str, *, survey_id: int, day: date) -> str:
    """The keyed digest (HMAC-SHA256 with SECRET_KEY) of a device's random cookie token, the survey
    and the day: equal for one device's answers to one survey on one day (the unique constraint
    keeps one), different across days and surveys, so stored answers cannot be linked to one device.
    (Responses stored before this change keep their old, token-only digests.)"""
    return salted_hmac("assessment.satisfaction.device", f"{token}|{survey_id}|{day.isoformat()}",
                       algorithm="sha256").hexdigest()


def answers_clean(questions, raw: dict) -> tuple[dict[int, int], dict[str, str]]:
    """The answers a form sent (``{"q<id>": "value"}``) checked against the questions asked:
    (``{question_id: value}``, ``{"q<id>": message}``) — a missing required answer or a value
    that is not one of the question's options is refused, naming the question."""
    values, errors = {}, {}
    for question in questions:
        field = f"q{question.pk}"
        text = str(raw.get(field, "") or "").strip()
        if not text:
            if question.required:
                errors[field] = _("Please answer “%(question)s”.") % {"question": question.label}
            continue
        allowed = {value for value, _label in question.choices()}
        try:
            value = int(text)
        except ValueError:
            value = None
        if value not in allowed:
            errors[field] = _("“%(answer)s” is not one of the answers to “%(question)s”.") % {
                "answer": text[:40], "question": question.label}
            continue
        values[question.pk] = value
    return values, errors


@dataclass(frozen=True)
class Answered:
    response: SurveyResponse
    created: bool


def survey_answer_submit(*, survey: SatisfactionSurvey, district: District, place_category: Category | None,
                         answers: dict[int, int], device_token: str, client_address: str | None,
                         proof=None, idempotency_key: str | None = None, now: datetime | None = None,
                         source: str = "web") -> Answered:
    """Record a resident's answers, one per device and day.

    The caller checked the answers (``answers_clean``). The row carrying the idempotency key and
    the device's digest goes in first: a retried twin gets the first response; another answer
    from the same device the same day is refused (AlreadyAnsweredToday; the database's unique
    constraint decides, also between concurrent requests). Then the proof of work is spent and
    the client address's daily limit counted ("survey", PublicLimitReached), so a refusal rolls
    everything back and counts nothing."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not survey.is_open_on(day):
        raise PublicRefused(_("This survey is not open today."), code="closed")
    if not device_token:
        raise PublicRefused(_("Your browser did not keep this page's cookie. Allow cookies for this site and "
                              "open the survey link again."), code="no_cookie")
    questions = {q.pk: q for q in survey.questions.filter(active=True)}
    if set(answers) - set(questions) or not any(q.counts_for_rate for q in questions.values() if q.pk in answers):
        raise PublicRefused(_("Please answer the questions."), code="empty")
    digest = device_digest(device_token, survey_id=survey.pk, day=day)

    def write() -> SurveyResponse:
        response = SurveyResponse.objects.create(
            survey=survey, district=district, place_category=place_category, day=day, submitted_at=now,
            device_digest=digest, idempotency_key=idempotency_key or None, source=source)
        if proof is not None:
            challenge_spend(proof)
        if client_address is not None:
            limit_count("survey", address=client_address)
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question_id=question_id, value=value,
                         satisfied=answer_satisfied(questions[question_id].kind, value))
            for question_id, value in answers.items())
        return response

    try:
        with transaction.atomic():
            if not idempotency_key:
                return Answered(write(), True)
            response, created = idempotent_create(SurveyResponse, key=idempotency_key, create=write)
            return Answered(response, created)
    except IntegrityError:
        if SurveyResponse.objects.filter(survey=survey, device_digest=digest, day=day).exists():
            raise AlreadyAnsweredToday(already_answered_message(), code="already_answered") from None
        raise


def already_answered_message() -> str:
    return _("Thank you, you have already answered this survey today. Each phone can answer once a day: "
             "you are welcome to answer again tomorrow.")
