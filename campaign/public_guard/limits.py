"""Daily limits per client address and per mobile number, counted in the database.

One row per (kind, key digest, day) in ``PublicActionCount``, raised by one upsert (``INSERT …
ON CONFLICT DO UPDATE … RETURNING``) inside the caller's transaction: every process and worker
sees the same count, concurrent requests queue on the row, and an action whose transaction rolls
back gives its count back. Addresses and numbers are kept only as HMAC digests.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ..models import PublicActionCount
from .mobile import mobile_digest, mobile_normalize


class PublicRefused(ValidationError):
    """A public action refused for the user's benefit (a limit, a failed challenge); a
    ValidationError, so ``form.add_error(None, error)`` shows its message."""


class PublicLimitReached(PublicRefused):
    """Today's limit of this kind of action is used up for this address or number."""


def address_digest(address: str) -> str:
    """A keyed digest (HMAC-SHA256 with SECRET_KEY) of a client address."""
    return salted_hmac("campaign.public_guard.address", address, algorithm="sha256").hexdigest()


def _limits(kind: str) -> dict:
    try:
        return settings.PUBLIC_LIMITS[kind]
    except KeyError:
        raise ImproperlyConfigured(f"settings.PUBLIC_LIMITS has no entry for the public action {kind!r}.") from None


def _keys(kind: str, address: str | None, mobile: str | None) -> list[tuple[str, int, str]]:
    """(digest, limit, message) of each key this action counts against."""
    limits = _limits(kind)
    keys = []
    if address:
        keys.append((address_digest(address), limits["per_address"], _(
            "This network has reached today's limit of %(limit)s for this form. Please try again tomorrow.")))
    if mobile:
        keys.append((mobile_digest(mobile_normalize(mobile)), limits["per_mobile"], _(
            "This mobile number has reached today's limit of %(limit)s for this form. Please try again tomorrow.")))
    return keys


def count_bump(kind: str, digest: str, day) -> int:
    """Count one more for (kind, digest, day) and return the new count: one statement."""
    quote = connection.ops.quote_name
    table = quote(PublicActionCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('kind')}, {quote('key_digest')}, {quote('day')}, {quote('count')}) "  # noqa: S608 (the model's own table)
            f"VALUES (%s, %s, %s, 1) ON CONFLICT ({quote('kind')}, {quote('key_digest')}, {quote('day')}) "
            f"DO UPDATE SET {quote('count')} = {table}.{quote('count')} + 1 RETURNING {quote('count')}",
            [kind, digest, day],
        )
        (count,) = cursor.fetchone()
    return count


def _counts(kind: str, digests: list[str], day) -> dict[str, int]:
    rows = PublicActionCount.objects.filter(kind=kind, key_digest__in=digests, day=day)
    return dict(rows.values_list("key_digest", "count"))


def limit_check(kind: str, *, address: str | None, mobile: str | None = None) -> None:
    """Raise PublicLimitReached if the address or the number has used up today's ``kind``
    actions (one read; for refusing early, before the reporter fills in a form)."""
    keys = _keys(kind, address, mobile)
    counts = _counts(kind, [digest for digest, _limit, _message in keys], timezone.localdate())
    for digest, limit, message in keys:
        if counts.get(digest, 0) >= limit:
            raise PublicLimitReached(message % {"limit": limit}, code="limit")


def limit_count(kind: str, *, address: str | None, mobile: str | None = None) -> None:
    """Record one ``kind`` action for the address and the number, inside the caller's
    transaction; PublicLimitReached (and nothing recorded) if it would pass a limit. The
    service that writes the action calls it, so the check and the count are one step."""
    day = timezone.localdate()
    with transaction.atomic():
        for digest, limit, message in _keys(kind, address, mobile):
            if count_bump(kind, digest, day) > limit:
                raise PublicLimitReached(message % {"limit": limit}, code="limit")


def actions_today(kind: str, *, address: str | None) -> int:
    """How many ``kind`` actions this address did today."""
    if not address:
        return 0
    digest = address_digest(address)
    return _counts(kind, [digest], timezone.localdate()).get(digest, 0)


def public_counts_purge() -> int:
    """Delete counts and spent challenges older than yesterday (challenges live minutes, limits
    a day); the number of rows deleted."""
    deleted, _by_model = PublicActionCount.objects.filter(day__lt=timezone.localdate() - timedelta(days=1)).delete()
    return deleted
