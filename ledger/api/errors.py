"""How a refused ledger action reads over the API: ``{"detail": message}``.

LedgerConflict (an illegal or stale move) is 409 ``{"detail": message, "code": "conflict"}``
(a stable code a client such as the field app's queue can act on; other 409s name their own,
e.g. the inspections' ``checklist_replaced``), LedgerForbidden 403, LedgerInvalid and a
rejected photo 400. The message is the service's own, for the user. A value outside the
user's write scope (campaign.write_scope.OutOfScope) is a 400 naming its field, as a
serializer's field error is.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from campaign.write_scope import OutOfScope
from ledger.photos import PhotoError
from ledger.services import LedgerConflict, LedgerForbidden, LedgerInvalid


class ConflictError(APIException):
    """409 ``{"detail": message, "code": code, **extra}``: the code is stable, the message for the user."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The problem changed meanwhile or cannot take this action now.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.detail = {"detail": self.detail, "code": code or self.default_code, **extra}


class ForbiddenError(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You may not do this.")
    default_code = "permission_denied"


class InvalidError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is incomplete or wrong.")
    default_code = "invalid"


@contextmanager
def ledger_errors() -> Iterator[None]:
    """Turn the ledger's domain errors raised inside the block into API answers."""
    try:
        yield
    except OutOfScope as error:
        raise ValidationError(error.message_dict) from error
    except LedgerConflict as error:
        raise ConflictError(str(error)) from error
    except LedgerForbidden as error:
        raise ForbiddenError(str(error)) from error
    except (LedgerInvalid, PhotoError) as error:
        raise InvalidError(str(error)) from error
