"""Existing problems get their grid and road from their sample point, through the ledger.

Every field of a problem must follow from its events (ledger/integrity.py), and a field its
events never set is empty. So the backfill does not write the row alone: each problem whose
sample point has a grid or road gets one appended ``locate`` event carrying them
(``data["fields"]``), chained and keyed like any other event, and the row takes the new
version and chain head. The event's actor is whoever recorded the problem (the sample point
they chose is what places it); ``data["by"]`` names this migration. The chains only grow, so
every fingerprint taken before stays valid.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

BATCH = 1000
NOTE = "Grid and road taken from the sample point when problems began to carry them."


def _keyed_hash(key: bytes, payload: dict) -> str:
    # The same canonical form and key as ProblemEvent.compute_hash (ledger/models.py), frozen here.
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def forward(apps, schema_editor):
    from django.conf import settings

    Problem = apps.get_model("ledger", "Problem")
    ProblemEvent = apps.get_model("ledger", "ProblemEvent")
    key = settings.LEDGER_HMAC_KEY.encode()
    scheme = "hmac-sha256:" + hashlib.sha256(b"ledger key id\0" + key).hexdigest()[:12]
    at = timezone.now()
    placed = (Problem.objects.filter(grid__isnull=True, road__isnull=True)
              .filter(Q(sample_point__grid__isnull=False) | Q(sample_point__road__isnull=False))
              .values_list("pk", "version", "status", "last_event_hash", "sample_point__grid_id",
                           "sample_point__road_id").order_by("pk"))
    recorders = ProblemEvent.objects.filter(seq=1)
    batch = list(placed[:BATCH])
    while batch:
        actors = dict(recorders.filter(problem_id__in=[row[0] for row in batch]).values_list("problem_id", "actor_id"))
        events, problems = [], []
        for pk, version, status, last_hash, grid_id, road_id in batch:
            if pk not in actors:
                continue  # no history at all: verify_ledger reports it as it is
            data = {"fields": {"grid": grid_id, "road": road_id}, "by": "migration ledger.0011",
                    "from": "sample_point"}
            payload = {"problem": pk, "seq": version + 1, "action": "locate", "from": status, "to": status,
                       "actor": actors[pk], "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                       "note": NOTE, "data": data, "prev": last_hash}
            digest = _keyed_hash(key, payload)
            events.append(ProblemEvent(problem_id=pk, seq=version + 1, action="locate", from_status=status,
                                       to_status=status, actor_id=actors[pk], at=at, note=NOTE, data=data,
                                       prev_hash=last_hash, hash=digest, hash_scheme=scheme))
            problems.append(Problem(pk=pk, grid_id=grid_id, road_id=road_id, version=version + 1,
                                    last_event_hash=digest))
        ProblemEvent.objects.bulk_create(events)
        Problem.objects.bulk_update(problems, ["grid", "road", "version", "last_event_hash"])
        batch = list(placed.filter(pk__gt=batch[-1][0])[:BATCH])


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0011_problem_grid_and_road"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
