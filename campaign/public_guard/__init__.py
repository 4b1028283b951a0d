"""The protections of every public page (internet-facing, no sign-in): the reporting form,
the tracking page, the satisfaction survey, Open311, the red and black list.

Limits (``limits.py``) -- per kind of action (``settings.PUBLIC_LIMITS``), per client address
(``campaign.throttling.client_address``) and per mobile number, a day, in the database::

    limit_check("report", address=client_address(request), mobile=number)  # early refusal, reads only
    limit_count("report", address=…, mobile=…)  # in the service's transaction: records one, or refuses
    actions_today("report", address=…)

Both raise ``PublicLimitReached`` (a ``PublicRefused``, a ValidationError with a translated
message). Addresses and numbers are stored only as HMAC digests.

Proof of work (``challenge.py``) after the first action of the day from an address::

    class ReportForm(forms.Form):
        proof = ProofOfWorkField(kind="report")      # renders {{ form.media }}: no inline script
    form.fields["proof"].required = challenge_required("report", address=…)
    challenge_spend(form.cleaned_data["proof"])      # in the service's transaction, when not None:
                                                     # refuses one already used

Retries (``retries.py``): a double tap or a retry never creates twice::

    key = IdempotencyKeyField()                      # in the form: a hidden random key
    report, created = idempotent_create(PublicReport, key=…, create=write)  # in the service
    # write(): insert the row carrying the key first, then challenge_spend and limit_count

Mobile numbers (``mobile.py``): ``mobile_normalize`` (ValidationError for anything but a
mainland mobile), ``mobile_mask`` ("138****8000"; template filter ``{% load public_guard %}
{{ n|mobile_mask }}``), ``mobile_shown(n, full=can_moderate)``, ``mobile_digest``, and
``MobileNumberField`` / ``MobileNumberFormField``. Only moderators see a number in full.

Place (``place.py``): ``place_errors(lat, lon, gcj02=False)`` (messages when outside the
city's bounds), ``place_to_wgs84``. Photos: ``campaign.photos.photo_store(upload, folder=…)``
(re-encoded without metadata; the GPS position and time taken are returned, not stored).

Pages (``pages.py``): ``@public_page`` / ``@public_page(cache_seconds=300, index=True)`` marks
a view internet-facing and sets Cache-Control and X-Robots-Tag; ``public_paths()`` lists them.
"""

from django.conf import settings

from .challenge import (
    ChallengeRefused,
    ProofOfWorkField,
    ProofOfWorkWidget,
    SolvedChallenge,
    challenge_issue,
    challenge_spend,
    challenge_verify,
)
from .limits import (
    PublicLimitReached,
    PublicRefused,
    actions_today,
    address_digest,
    limit_check,
    limit_count,
    public_counts_purge,
)
from .mobile import (
    MobileNumberField,
    MobileNumberFormField,
    mobile_digest,
    mobile_mask,
    mobile_normalize,
    mobile_shown,
)
from .pages import PublicPage, PublicPath, public_page, public_paths
from .place import place_errors, place_to_wgs84
from .retries import IdempotencyKeyField, idempotent_create


def challenge_required(kind: str, *, address: str | None) -> bool:
    """Whether this address must solve a proof of work for its next ``kind`` action: after
    PUBLIC_CHALLENGE_FREE_PER_DAY actions today (always when it is 0)."""
    free = settings.PUBLIC_CHALLENGE_FREE_PER_DAY
    return free == 0 or actions_today(kind, address=address) >= free


__all__ = [
    "ChallengeRefused", "IdempotencyKeyField", "MobileNumberField", "MobileNumberFormField", "ProofOfWorkField", "ProofOfWorkWidget",
    "PublicLimitReached", "PublicPage", "PublicPath", "PublicRefused", "SolvedChallenge", "actions_today",
    "address_digest", "challenge_issue", "challenge_required", "challenge_spend", "challenge_verify", "idempotent_create",
    "limit_check", "limit_count", "mobile_digest", "mobile_mask", "mobile_normalize", "mobile_shown",
    "place_errors", "place_to_wgs84", "public_counts_purge", "public_page", "public_paths",
]
