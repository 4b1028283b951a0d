"""The kept answers of idempotent API requests (campaign/idempotency.py): their daily purge."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import IdempotencyKey


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_DAYS (30 by default): a phone's queue sends
    within hours or days, and a repeat after that runs again. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    with transaction.atomic():
        deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
