"""A proof of work asked of a public form after the first action of the day from an address.

The server issues a signed challenge (``django.core.signing``: kind, difficulty bits, how many
solutions, a random salt and the time issued; nothing stored); the browser
(static/js/pow-solver.js, in a Web Worker) finds that many distinct decimal nonces such that
SHA-256(challenge + nonce) starts with that many zero bits and submits
``challenge/nonce,nonce,…``. Several easier solutions rather than one hard one: the same work
on average, with a far shorter longest wait (8 solutions: the spread of the time taken is a third
of one solution's). The form field checks it in a few hashes and refuses one that is expired or
made for another kind of form; the service that writes the action spends it and
refuses one already spent (a spent challenge's digest is a ``PublicActionCount`` row of kind
``spent-challenge``, kept until the daily purge).
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .limits import PublicRefused, count_bump

_SALT = "campaign.public_guard.challenge"
_SPENT = "spent-challenge"
_NONCES = re.compile(r"\d{1,20}(,\d{1,20}){0,63}")


class ChallengeRefused(PublicRefused):
    """The proof of work is missing, wrong, expired, for another form or already used."""


@dataclass(frozen=True)
class SolvedChallenge:
    """A checked answer, to be spent by the service that writes the action."""

    kind: str
    digest: str
    day: date


def challenge_issue(kind: str) -> str:
    """A new signed challenge for a ``kind`` form (stateless: nothing is stored)."""
    payload = {"k": kind, "b": settings.PUBLIC_CHALLENGE_BITS, "n": settings.PUBLIC_CHALLENGE_SOLUTIONS,
               "s": secrets.token_hex(8), "t": int(time.time())}
    return signing.dumps(payload, salt=_SALT)


def _has_leading_zero_bits(digest: bytes, bits: int) -> bool:
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def challenge_verify(answer: str, *, kind: str) -> SolvedChallenge:
    """Check an answer ``challenge/nonce,nonce,…`` for a ``kind`` form (reads nothing, writes nothing):
    ChallengeRefused with a message for the user if it is not valid or expired. Whether it was
    used before is ``challenge_spend``'s to decide."""
    token, _sep, nonces = (answer or "").strip().rpartition("/")
    invalid = ChallengeRefused(_("The security check is not valid. Please send the form again."), code="challenge")
    if not token or not _NONCES.fullmatch(nonces):
        raise invalid
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.PUBLIC_CHALLENGE_TTL_SECONDS)
    except signing.SignatureExpired:
        raise ChallengeRefused(_("The security check has expired. Please send the form again."),
                               code="challenge_expired") from None
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise invalid
    nonces = nonces.split(",")
    if len(nonces) != payload["n"] or len(set(nonces)) != len(nonces):
        raise invalid
    if not all(_has_leading_zero_bits(hashlib.sha256(f"{token}{nonce}".encode()).digest(), payload["b"])
               for nonce in nonces):
        raise invalid
    issued = timezone.localdate(datetime.fromtimestamp(payload["t"], tz=timezone.get_current_timezone()))
    return SolvedChallenge(kind=kind, digest=hashlib.sha256(token.encode()).hexdigest(), day=issued)


def challenge_spend(solved: SolvedChallenge) -> None:
    """Mark a checked challenge used, inside the caller's transaction: ChallengeRefused if it
    was used before, or by a concurrent request first (the database decides: one upsert).

    Spending is decided here, not when the form is checked, so that a retried submission (a
    double tap) can first be answered with what its twin created (``idempotent_create``)."""
    with transaction.atomic():
        if count_bump(_SPENT, solved.digest, solved.day) > 1:
            raise ChallengeRefused(_("This security check was already used. Please send the form again."),
                                   code="challenge_reused")


class ProofOfWorkWidget(forms.HiddenInput):
    """A hidden input carrying a fresh challenge in ``data-`` attributes (no inline script);
    static/js/public-guard.js solves it and fills the input. Renders an empty input when the
    field is not required (no challenge asked)."""

    template_name = "campaign/widgets/proof_of_work.html"
    # Rendered in the field's place (its status line and its errors beside it), not among the
    # form's hidden fields, whose errors Django prefixes with "(Hidden field …)".
    is_hidden = False

    class Media:
        js = ["js/pow-solver.js", "js/public-guard.js"]

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def use_required_attribute(self, initial):
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)  # an answer is never rendered back
        if self.is_required:
            context["widget"]["attrs"].update({
                "data-pow-challenge": challenge_issue(self.kind),
                "data-pow-bits": settings.PUBLIC_CHALLENGE_BITS,
                "data-pow-solutions": settings.PUBLIC_CHALLENGE_SOLUTIONS,
                "data-pow-worker": static("js/pow-solver.js"),
            })
            context["widget"]["challenged"] = True
        return context


class ProofOfWorkField(forms.Field):
    """The proof-of-work field any public form drops in: ``proof = ProofOfWorkField(kind="report")``.

    Not required by default; the view asks for it (``form.fields["proof"].required =
    challenge_required("report", address=…)``), before rendering and before validating.
    ``cleaned_data`` holds a SolvedChallenge (or None), which the service passes to
    ``challenge_spend`` in its transaction."""

    default_error_messages = {"required": gettext_lazy(
        "The security check has not finished yet. Please wait a moment and send the form again "
        "(JavaScript must be on).")}

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        kwargs["widget"] = ProofOfWorkWidget(kind)
        super().__init__(**kwargs)

    @property
    def required(self) -> bool:
        return self._required

    @required.setter
    def required(self, value: bool) -> None:
        # Kept in step with the widget, which renders a challenge only when one is asked.
        self._required = value
        if hasattr(self, "widget"):
            self.widget.is_required = value

    def clean(self, value):
        if not value:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        return challenge_verify(value, kind=self.kind)
