"""A test-only URLconf: public pages built with campaign.public_guard, for its tests and the
browser test of the proof of work (tests/test_browser_public_guard.py)."""

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views import View

from campaign.public_guard import ProofOfWorkField, challenge_spend, public_page

PAGE = engines["django"].from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>guarded form</title></head><body>
<p id="outcome">{{ outcome }}</p>
<form method="post">{% csrf_token %}{{ form.as_div }}<button type="submit">Send</button></form>
{{ form.media }}
</body></html>""")


class GuardedForm(forms.Form):
    description = forms.CharField()
    proof = ProofOfWorkField(kind="report", required=True)


@public_page
def guarded_form(request):
    form = GuardedForm(request.POST or None)
    outcome = ""
    if form.is_valid():
        with transaction.atomic():
            challenge_spend(form.cleaned_data["proof"])
        outcome = f"accepted {form.cleaned_data['description']}"
        form = GuardedForm()
    elif form.is_bound:
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
