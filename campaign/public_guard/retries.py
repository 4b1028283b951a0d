"""A retried submission (a double tap, a phone's retry on a slow network) never makes a second
object: the form carries a random key made when it was shown (``IdempotencyKeyField``), the
object keeps it in a unique field, and the service creates through ``idempotent_create``, which
answers a known key with what the first submission made."""

import uuid

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _


class IdempotencyKeyField(forms.UUIDField):
    """A hidden random key, made once per form shown and sent back with it (a re-shown form with
    errors keeps its key: nothing was created under it)."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": _("This form is incomplete. Please reload the page and send it again."),
        "invalid": _("This form is incomplete. Please reload the page and send it again."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def idempotent_create(model, *, key, create, field: str = "idempotency_key"):
    """``(object, created)``: the ``model`` object whose unique ``field`` is ``key`` if one
    exists, else what ``create()`` returns, run in a savepoint.

    ``create`` must write the row carrying the key *first*, then spend the challenge and count
    the limits: a concurrent twin then waits on the unique key, fails, and gets the winner's
    object, without spending or counting anything."""
    manager = model._default_manager
    existing = manager.filter(**{field: key}).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = manager.filter(**{field: key}).first()
        if existing is None:
            raise
        return existing, False
