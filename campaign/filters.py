"""One FilterSet per model, used by both the HTML lists and the API.

Choice fields are limited to what the user may see (``for_user``), so a filter can never be
used to learn about another district.
"""

import copy
from functools import lru_cache

import django_filters
from django import forms
from django.db.models import Model, Q
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin

from .choices import AuditAction, Role
from .control_characters import ControlCharactersRefused
from .models import (
    AuditEntry,
    Category,
    District,
    Grid,
    Indicator,
    Road,
    SamplePoint,
    Team,
    Unit,
    User,
)


def _filter_copy(flt):
    """This request's own copy of a declared filter: a shallow copy with its own ``extra`` (the
    field is built from it and django-filter writes the queryset into it) and no cached field.
    What the copy shares with the declaration (labels, choices, the widget, which every form
    field deep-copies anyway) is never changed per request."""
    clone = copy.copy(flt)
    clone.extra = dict(flt.extra)
    clone.__dict__.pop("_field", None)
    if clone.method is not None:
        clone.method = clone.method  # a FilterMethod bound to the copy, which knows its parent
    return clone


class ScopedFilterSet(django_filters.FilterSet):
    """Narrows every model-choice filter's choices to what ``request.user`` may see."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, less its copy.deepcopy(self.base_filters): deep-copying
        # the filters with their querysets, choices and lazy labels was a tenth of the ledger
        # API's time. Each filter is copied shallowly instead (see _filter_copy).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _filter_copy(flt) for name, flt in self.base_filters.items()}
        for flt in self.filters.values():
            flt.model = queryset.model
            flt.parent = self
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            # self.filters are this instance's copies; the form field is built from flt.queryset,
            # narrowed to the user's when first read (_ScopedOnRead): a request that chooses no
            # value of a filter never builds its narrowed queryset (a district lead's eight
            # ``visible_to`` were most of the filter set's time).
            model_qs = getattr(flt, "queryset", None)
            if model_qs is not None and hasattr(model_qs, "visible_to"):
                _scope_on_read(flt, model_qs, user)

    def get_form_class(self):
        """The form class of the filters as declared is built once per filter set class, model
        and language (django-filter builds one with a new field per filter on every request, a
        fifth of the list endpoint's time); ``form`` then gives this request's copy of each
        choice field the user's own queryset. A filter set whose instance changed a filter
        (``notifications``' late event choices) or whose queryset is a callable of the request
        gets a class of its own, built as django-filter builds it."""
        if not self._filters_as_declared():
            return self._build_form_class(self.filters)
        key = (type(self), self.queryset.model, get_language())
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            declared = {name: _filter_copy(flt) for name, flt in self.base_filters.items()}
            for flt in declared.values():
                flt.model = self.queryset.model  # labels of undeclared filters come from it
                flt.parent = None
            form_class = self._build_form_class(declared)
            form_class.base_fields = _SharedFields(form_class.base_fields)
            _FORM_CLASSES[key] = form_class
        self._shared_form_class = True
        return form_class

    def _build_form_class(self, filters):
        # The filters' form refuses control characters on the field, like every form.
        fields = {name: flt.field for name, flt in filters.items()}
        form_class = type(f"{type(self).__name__}Form", (self._meta.form,), fields)
        return type(form_class.__name__, (ControlCharactersRefused, form_class), {})

    def _filters_as_declared(self):
        """Whether this instance's filters would build the fields the declared ones build, but
        for the querysets (set per request in ``form``). Decided once per instance: a request
        asks up to three times, and a filter set that changes its filters does so in its own
        ``__init__``, before any of them."""
        known = self.__dict__.get("_as_declared")
        if known is None:
            known = self._as_declared = self._compare_filters_with_declared()
        return known

    def _compare_filters_with_declared(self):
        base = self.base_filters
        for name, flt in self.filters.items():
            declared = base[name]
            if flt._label is not declared._label or callable(_queryset_unread(flt)):
                return False
            extra, declared_extra = flt.extra, declared.extra
            for key, value in extra.items():
                if key != "queryset" and (key not in declared_extra or declared_extra[key] is not value):
                    return False
            if len(extra.keys() - {"queryset"}) != len(declared_extra.keys() - {"queryset"}):
                return False
        return True

    def _sends_no_filter(self) -> bool:
        """Whether the data carry no value of any filter (a list's first page, or only its
        cursor): each filter then reads an empty value and leaves the rows as they are, so the
        rows, the validity and the errors are known without building and checking the form (a
        tenth of the list endpoint's time). As ``_sent_fields`` decides it."""
        return self._sent_fields() == ()

    def sends_no_filter(self) -> bool:
        """Whether the data carry no value of any filter, as ``_sends_no_filter`` decides it."""
        return self._sends_no_filter()

    def sent_fields(self) -> tuple[str, ...] | None:
        """The names of the filters the data carry a value for, as ``_sent_fields`` decides them."""
        return self._sent_fields()

    def _sent_fields(self) -> tuple[str, ...] | None:
        """The names of the fields the data carry a value for, in the form's order; None when
        that does not tell what the form would do. A field not sent reads an empty value, is
        valid, and its filter leaves the rows as they are, so the fields sent decide the rows,
        the validity and the errors. That holds for filters as declared, read by widgets that
        read an absent value as empty (not a checkbox's False, not a multi-widget's parts), none
        of them required, and the filtering django-filter's. Decided once per instance."""
        known = self.__dict__.get("_sent")
        if known is None:
            found = self._find_sent_fields()
            known = self._sent = found if found is not None else False
        return known if known is not False else None

    def _find_sent_fields(self) -> tuple[str, ...] | None:
        if not (self.is_bound and type(self).filter_queryset is django_filters.FilterSet.filter_queryset
                and self._filters_as_declared()):
            return None
        form_class = self.get_form_class()
        fields = form_class.base_fields
        absent_read_as_empty = _ABSENT_READ_AS_EMPTY.get(form_class)
        if absent_read_as_empty is None:
            absent_read_as_empty = _ABSENT_READ_AS_EMPTY[form_class] = all(
                not field.required and type(field.widget).value_from_datadict in _READS_ABSENT_AS_EMPTY
                for field in fields.values())
        if not absent_read_as_empty:
            return None
        prefix, data = self.form_prefix, self.data
        return tuple(name for name in fields if (f"{prefix}-{name}" if prefix else name) in data)

    def sent_fields_form(self):
        """The form of only the fields the data carry a value for (``_sent_fields``), checked
        on first use: its errors and cleaned values are the whole form's, without copying and
        checking the fields not sent (the ledger's form has 22). None when there is none (the
        filters are not as ``_sent_fields`` needs, or no value is sent). ``form`` is still the
        whole form, built when read."""
        if "_sent_form" not in self.__dict__:
            names = self._sent_fields()
            form = None
            if names:
                form_class = _form_of_fields(self.get_form_class(), names)
                form = self._give_querysets(form_class(self.data, prefix=self.form_prefix))
            self._sent_form = form
        return self._sent_form

    @property
    def qs(self):
        if not hasattr(self, "_qs") and not hasattr(self, "_form"):
            if self._sends_no_filter():
                self._checked = True  # as django-filter's qs checks the form first
                self._qs = self.queryset.all()  # what filter_queryset gives when no filter has a value
            else:
                sent = self.sent_fields_form()
                if sent is not None:
                    # filter_queryset's loop over the fields sent: the others' filters would
                    # leave the rows as they are (``_sent_fields``).
                    self.errors  # noqa: B018 - checks the form, as django-filter's qs does first
                    queryset = self.queryset.all()
                    for name, value in sent.cleaned_data.items():
                        queryset = self.filters[name].filter(queryset, value)
                    self._qs = queryset
        return super().qs

    def is_valid(self):
        if not hasattr(self, "_form") and self._sent_fields() is not None:
            return not self.errors  # the fields sent decide it (``_sent_fields``)
        return super().is_valid()

    @property
    def errors(self):
        if not hasattr(self, "_form"):
            if self._sends_no_filter():
                self._checked = True
                return ErrorDict()
            sent = self.sent_fields_form()
            if sent is not None:
                self._checked = True
                return sent.errors
        return self.form.errors

    @property
    def form(self):
        if not hasattr(self, "_form"):
            self._shared_form_class = False
            form_class = self.get_form_class()
            if self.is_bound:
                form = form_class(self.data, prefix=self.form_prefix)
            else:
                form = form_class(prefix=self.form_prefix)
            if self._shared_form_class:
                form = self._give_querysets(form)
                sent = self.__dict__.get("_sent_form")
                for name, field in (sent.fields.items() if sent is not None else ()):
                    # The rows the form of the fields sent found checking the values: the same
                    # filter's queryset, so not read again.
                    if "rows_found" in field.__dict__ and isinstance(form.fields[name], _FieldQuerysetOnRead):
                        form.fields[name].__dict__["rows_found"] = dict(field.rows_found)
            if self.__dict__.get("_checked") and form.is_bound:
                # The filter set was checked without its form (no value sent, or the form of
                # the fields sent): its form is checked too, as django-filter's would be (a
                # view reads ``form.cleaned_data`` after ``is_valid()``).
                form.errors  # noqa: B018
            self._form = form
        return self._form

    def _give_querysets(self, form):
        """A kept class's form with its choice fields' querysets: the kept fields list every row;
        this request's copies list what the user may see (the filters' querysets, narrowed when
        first read: the field reads it to check or label a chosen value, or to list its choices)."""
        for name, field in form.fields.items():
            flt = self.filters.get(name)
            if isinstance(flt, _ScopedOnRead):
                _field_queryset_on_read(field, flt)
            elif isinstance(flt, QuerySetRequestMixin):
                queryset = flt.get_queryset(self.request)
                if queryset is not None:
                    field.queryset = queryset
        return form


# (filter set class, model, language) -> the form class of its filters as declared.
_FORM_CLASSES = {}


class _SharedFields(dict):
    """The fields of a kept form class (``get_form_class``). A form copies its class's fields
    with ``copy.deepcopy``; Django's copy of a choice field deep-copies its choices (their lazy
    labels one by one) and clones a model-choice field's queryset, which ``form`` replaces with
    the user's anyway: a third of a filtered request's form. This copy shares with the class
    what no request changes (choices, error messages, validators, each widget's template and
    options) and gives each request its own field and widget objects and the widget's attributes.

    A model-choice field's copy lists no row and refuses every value (an empty queryset, made
    once per field) until ``form`` gives it its filter's, narrowed or the request's: one the
    narrowing missed would never list or accept the class's rows."""

    def __init__(self, fields):
        super().__init__(fields)
        self._nothing = {name: field.queryset.none() for name, field in fields.items()
                         if isinstance(field, forms.ModelChoiceField) and field.queryset is not None}

    def __deepcopy__(self, memo):
        return {name: _field_copy(field, self._nothing.get(name)) for name, field in self.items()}


def _field_copy(field, nothing):
    clone = copy.copy(field)
    widget = clone.widget = copy.copy(field.widget)
    widget.attrs = field.widget.attrs.copy()
    clone.error_messages = field.error_messages.copy()
    clone.validators = field.validators[:]
    if isinstance(field, forms.ModelChoiceField):
        clone._queryset = nothing
        widget.choices = ()
    return clone


@lru_cache(maxsize=256)
def _form_of_fields(form_class, names: tuple[str, ...]):
    """A kept form class (``get_form_class``) with only the fields ``names``: the same field
    objects, copied per form as the kept class's are (``_SharedFields``)."""
    fields = form_class.base_fields
    narrow = type(form_class.__name__, (form_class,), {"__module__": form_class.__module__})
    narrow.base_fields = _SharedFields({name: fields[name] for name in names})
    return narrow


# The widgets' readings that give an empty value (None, "" or []) for a name absent from the
# data (not a checkbox's False, not a multi-widget's parts), and, per form class, whether all
# its fields' widgets read so.
_READS_ABSENT_AS_EMPTY = frozenset({
    forms.Widget.value_from_datadict,
    forms.widgets.ChoiceWidget.value_from_datadict,
    forms.SelectMultiple.value_from_datadict,
    forms.NullBooleanSelect.value_from_datadict,
})
_ABSENT_READ_AS_EMPTY = {}


class _ScopedOnRead:
    """Mixed into a filter set's own copy of a model-choice filter: its ``queryset`` is the
    declared one narrowed to the user's (``visible_to``) when first read, and kept."""

    @property
    def queryset(self):
        kept = self.__dict__
        if "_scoped" not in kept:
            kept["_scoped"] = kept["_unscoped"].visible_to(kept["_scope_user"])
        return kept["_scoped"]

    @queryset.setter
    def queryset(self, value):
        self.__dict__["_scoped"] = value


_SCOPED_ON_READ_CLASSES = {}


def _on_read_class(cls, mixin, kept):
    on_read = kept.get(cls)
    if on_read is None:
        on_read = kept[cls] = type(cls.__name__, (mixin, cls), {"__module__": cls.__module__})
    return on_read


def _scope_on_read(flt, queryset, user) -> None:
    flt.__class__ = _on_read_class(type(flt), _ScopedOnRead, _SCOPED_ON_READ_CLASSES)
    flt.__dict__.update(_unscoped=queryset, _scope_user=user)


def _queryset_unread(flt):
    """A filter's queryset as declared, without narrowing it."""
    if isinstance(flt, _ScopedOnRead) and "_scoped" not in flt.__dict__:
        return flt.__dict__["_unscoped"]
    return getattr(flt, "queryset", None)


class _FieldQuerysetOnRead:
    """Mixed into a form's own copy of a model-choice field: its ``queryset`` (empty in the copy,
    ``_SharedFields``) becomes its filter's narrowed one when first read, before any use:
    checking a chosen value, labelling it, listing the choices (``_ChoicesOnRead``)."""

    @property
    def queryset(self):
        source = self.__dict__.pop("_queryset_source", None)
        if source is not None:
            forms.ModelChoiceField.queryset.fset(self, source.queryset)
        return self._queryset

    @queryset.setter
    def queryset(self, value):
        self.__dict__.pop("_queryset_source", None)
        self.__dict__.pop("rows_found", None)  # found in the former queryset
        forms.ModelChoiceField.queryset.fset(self, value)

    def to_python(self, value):
        """The chosen row, kept by the value sent: the widget labels it without reading it again
        (``SearchSelect``: one query per chosen value, not two), nor does a second form of the same
        filter set (``ScopedFilterSet.form`` after ``sent_fields_form``)."""
        if isinstance(value, str) and self.to_field_name is None:
            kept = self.__dict__.get("rows_found")
            if kept and value in kept:
                return kept[value]
        found = super().to_python(value)
        if isinstance(found, Model) and self.to_field_name is None and isinstance(value, str):
            self.__dict__.setdefault("rows_found", {})[value] = found
        return found


class _ChoicesOnRead(BaseChoiceIterator):
    """The widget's choices of a ``_FieldQuerysetOnRead`` field until it is narrowed: listing
    them narrows the field first, so the widget never lists a row the user may not see."""

    def __init__(self, field):
        self.field = field

    def _narrowed(self):
        field = self.field
        field.queryset  # noqa: B018 - reading it narrows the field and gives its widget the choices
        choices = field.widget.choices
        return field.choices if choices is self else choices

    def __iter__(self):
        # The empty choice first, as the field's iterator gives it, without narrowing (a select
        # reads only that one to decide its ``required`` attribute); then the narrowed choices.
        empty_label = self.field.empty_label
        if empty_label is None:
            yield from self._narrowed()
            return
        yield ("", empty_label)
        rest = iter(self._narrowed())
        next(rest, None)  # the same empty choice
        yield from rest

    def __len__(self):
        return len(self._narrowed())

    def __bool__(self):
        return bool(self._narrowed())


_FIELD_ON_READ_CLASSES = {}


def _field_queryset_on_read(field, flt) -> None:
    field.__class__ = _on_read_class(type(field), _FieldQuerysetOnRead, _FIELD_ON_READ_CLASSES)
    field.__dict__["_queryset_source"] = flt
    field.widget.choices = _ChoicesOnRead(field)


def is_shared_form_class(form_class) -> bool:
    """Whether ``form_class`` is one of the kept form classes of filters as declared (whose
    fields are the same for every request but for their querysets)."""
    return form_class in _FORM_CLASSES.values()


class SamplePointFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Special team"))
    responsible_unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Responsible unit"))
    grid = django_filters.ModelChoiceFilter(queryset=Grid.objects.all(), label=_("Grid"))
    road = django_filters.ModelChoiceFilter(queryset=Road.objects.all(), label=_("Road"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = SamplePoint
        fields = ["q", "district", "category", "team", "responsible_unit", "grid", "road", "active"]

    def search(self, queryset, name, value):
        # icontains works for Chinese text on both SQLite and PostgreSQL (no word splitting).
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(address__icontains=value))


class DistrictFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = District
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(code__icontains=value))


class GridFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))

    class Meta:
        model = Grid
        fields = ["district"]


class RoadFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))

    class Meta:
        model = Road
        fields = ["district"]


class UnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), field_name="teams", label=_("Special team")
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "district", "team"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value))


class TeamFilterSet(ScopedFilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), field_name="categories", label=_("Category")
    )

    class Meta:
        model = Team
        fields = ["category"]


class CategoryFilterSet(ScopedFilterSet):
    class Meta:
        model = Category
        fields = ["kind"]


class IndicatorFilterSet(ScopedFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))

    class Meta:
        model = Indicator
        fields = ["category", "direction"]


class AuditEntryFilterSet(ScopedFilterSet):
    """The audit trail's filters (HQ reads the whole trail, so nothing is narrowed)."""

    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"), empty_label=_("All actions"))
    person = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label=_("Username"))
    q = django_filters.CharFilter(method="search", label=_("Search"))
    at_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    at_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["action", "person", "q", "at_from", "at_to"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(target__icontains=value) | Q(scope__icontains=value) | Q(address__startswith=value))


class PersonFilterSet(ScopedFilterSet):
    """The People page's filters (HQ manages everyone, so nothing is narrowed)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value) | Q(phone__icontains=value))
