"""Mainland mobile numbers: normalised, masked for everyone but moderators, digested for limits."""

import re
import unicodedata

from django import forms
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-–—.()（）]+")


def mobile_normalize(value: str) -> str:
    """The 11 digits of a mainland mobile number typed as "+86 138 0013 8000", "0086-138…",
    "138-0013-8000", "１３８００１３８０００" or "13800138000"; ValidationError with a message for the user otherwise."""
    # NFKC: full-width digits and plus sign, as Chinese input methods type them, become ASCII.
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))
    for country in ("+86", "0086", "86"):
        if digits.startswith(country) and len(digits) == len(country) + 11:
            digits = digits[len(country):]
            break
    if not MOBILE_PATTERN.fullmatch(digits):
        raise forms.ValidationError(
            _("Enter a mainland China mobile number: 11 digits starting with 13 to 19, such as 138 0013 8000."),
            code="mobile")
    return digits


def mobile_mask(value: str | None) -> str:
    """"138****8000": what anyone but a moderator sees of a number ("" for none)."""
    if not value:
        return ""
    value = str(value)
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else "****"


def mobile_digest(value: str) -> str:
    """A keyed digest (HMAC-SHA256 with SECRET_KEY) of a normalised number: counts limits and
    finds the same person (e.g. a monthly reward cap) without keeping the number in clear."""
    return salted_hmac("campaign.public_guard.mobile", value, algorithm="sha256").hexdigest()


def mobile_shown(value: str | None, *, full: bool) -> str:
    """The number as a viewer may see it: in full for a moderator (``full=True``), masked otherwise."""
    return (value or "") if full else mobile_mask(value)


class MobileNumberFormField(forms.CharField):
    """A form field that accepts the usual ways of typing a number and cleans to 11 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        return mobile_normalize(value) if value else value


class MobileNumberField(models.CharField):
    """A mainland mobile number stored as its 11 digits. Rendered in full only where the viewer
    is a moderator: templates write ``{{ number|mobile_mask }}`` (``{% load public_guard %}``)
    or ``mobile_shown(number, full=can_moderate)``; serializers for non-moderators do the same."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 11:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MobileNumberFormField, "max_length": 24, **kwargs})
