"""A test-only URLconf: public pages built with campaign.public_guard, for its tests and the
browser test of the proof of work (tests/test_browser_public_guard.py)."""

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views import View

from campaign.models import User
from campaign.public_guard import (
    ChallengeRefused,
    IdempotencyKeyField,
    ProofOfWorkField,
    challenge_spend,
    idempotent_create,
    public_page,
)

PAGE = engines["django"].from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>guarded form</title><link rel="icon" href="data:,"></head><body>
<p id="outcome">{{ outcome }}</p>
<form method="post">{% csrf_token %}{{ form.as_div }}<button type="submit">Send</button></form>
{{ form.media }}
</body></html>""")


class GuardedForm(forms.Form):
    description = forms.CharField()
    key = IdempotencyKeyField()
    proof = ProofOfWorkField(kind="report", required=True)


def _write(data):
    # A person record stands in for the report a real public form's service creates: the row
    # carrying the key first, then the challenge spent.
    made = User.objects.create(username=f"guarded-{data['key']}", full_name=data["description"])
    challenge_spend(data["proof"])
    return made


@public_page
def guarded_form(request):
    form = GuardedForm(request.POST or None)
    outcome = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                made, created = idempotent_create(User, key=f"guarded-{data['key']}", field="username",
                                                  create=lambda: _write(data))
        except ChallengeRefused as refused:
            form.add_error(None, refused)
        else:
            outcome = f"{'accepted' if created else 'already received'} {made.full_name}"
            form = GuardedForm()
    if form.errors:
        outcome = "refused: " + " ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(PAGE.render({"form": form, "outcome": outcome}, request))


@public_page(cache_seconds=300, index=True)
def public_list(request):
    return HttpResponse("the list")


@public_page
class PublicClassView(View):
    def get(self, request):
        return HttpResponse("a class-based public page")


def staff_only(request):
    return HttpResponse("not marked")


urlpatterns = [
    path("guarded/", guarded_form, name="guarded_form"),
    path("list/", public_list, name="public_list"),
    path("class/", PublicClassView.as_view(), name="public_class"),
    path("staff/", staff_only, name="staff_only"),
]
