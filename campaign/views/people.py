"""People management for HQ: the list, a new person, and a person's role, scope and access.

For everyone but HQ staff these pages do not exist (404), so their existence is not revealed.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..choices import Role
from ..filters import PersonFilterSet
from ..forms import PersonCreateForm, PersonUpdateForm, bootstrap_form
from ..models import User
from ..services import people as people_service

PEOPLE_PER_PAGE = 50


def structure_manager_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_manage_structure:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _manageable_people(user):
    """The people a manager may see and change: superusers also see accounts with admin access."""
    people = User.objects.select_related("team", "district", "unit")
    if not user.is_superuser:
        people = people.filter(is_superuser=False, is_staff=False)
    return people


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@structure_manager_required
def person_list(request):
    # Everyone is listed; accounts with admin access have no edit link for non-superusers.
    filterset = PersonFilterSet(request.GET, queryset=User.objects.select_related("team", "district", "unit"),
                                request=request)
    people = filterset.qs
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    page = Paginator(people.order_by("role", "username"), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/person_list.html",
        {"page": page, "query": query, "role": role, "roles": Role.choices},
    )


@structure_manager_required
def person_create(request):
    form = PersonCreateForm(request.POST if request.method == "POST" else None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_service.person_create(data=form.cleaned_data, by=request.user, request=request)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s can now sign in as %(username)s.") % {
                "name": person.get_full_name(), "username": person.username,
            })
            return redirect("campaign:person_list")
    bootstrap_form(form)
    return render(request, "campaign/person_form.html", {"form": form, "person": None})


@structure_manager_required
def person_update(request, pk: int):
    person = get_object_or_404(_manageable_people(request.user), pk=pk)
    form = PersonUpdateForm(request.POST if request.method == "POST" else None, instance=person, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            updated = people_service.person_update(person=person, data=form.cleaned_data, by=request.user,
                                                    request=request)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if updated.pk == request.user.pk and form.cleaned_data.get("password"):
                update_session_auth_hash(request, updated)  # keep the manager signed in
            messages.success(request, _("Saved the changes to %(name)s.") % {"name": updated.get_full_name()})
            return redirect("campaign:person_list")
    if form.is_bound:
        # Validation changed the instance in memory: the page's heading shows what is stored.
        person.refresh_from_db()
    bootstrap_form(form)
    return render(request, "campaign/person_form.html", {"form": form, "person": person})

