"""Checking that the ledger's history is whole and untouched (``manage.py verify_ledger``)."""

from collections.abc import Iterator
from dataclasses import dataclass

from .choices import Action
from .models import Problem, ProblemEvent


@dataclass(frozen=True)
class Finding:
    problem_code: str
    message: str


def _events_by_problem() -> Iterator[tuple[int, list[ProblemEvent]]]:
    current_id, batch = None, []
    for event in ProblemEvent.objects.order_by("problem_id", "seq").iterator(chunk_size=5000):
        if event.problem_id != current_id and batch:
            yield current_id, batch
            batch = []
        current_id = event.problem_id
        batch.append(event)
    if batch:
        yield current_id, batch


def ledger_findings() -> Iterator[Finding]:
    """Every place where the stored history does not prove the problem's current state:
    a gap in the sequence, a broken hash chain, an altered event, or a state that no event led to."""
    problems = Problem.objects.order_by("pk").values_list("pk", "code", "status", "last_event_hash")
    events = _events_by_problem()
    pending = next(events, None)
    for pk, code, status, last_hash in problems.iterator(chunk_size=5000):
        while pending is not None and pending[0] < pk:
            yield Finding(f"#{pending[0]}", "events belong to a problem that no longer exists")
            pending = next(events, None)
        if pending is None or pending[0] != pk:
            yield Finding(code, "has no history")
            continue
        history = pending[1]
        pending = next(events, None)
        previous_hash = ""
        for expected_seq, event in enumerate(history, start=1):
            if event.seq != expected_seq:
                yield Finding(code, f"event {expected_seq} is missing (found {event.seq})")
                break
            if event.prev_hash != previous_hash:
                yield Finding(code, f"event {event.seq} does not follow the event before it")
                break
            if event.compute_hash() != event.hash:
                yield Finding(code, f"event {event.seq} ({event.action}) was altered")
                break
            previous_hash = event.hash
        else:
            if history[0].action != Action.RECORD:
                yield Finding(code, "history does not start with its recording")
            if history[-1].to_status != status:
                yield Finding(code, f"state {status} was not reached by its last event ({history[-1].to_status})")
            if history[-1].hash != last_hash:
                yield Finding(code, "the latest events were removed or replaced")
    while pending is not None:
        yield Finding(f"#{pending[0]}", "events belong to a problem that no longer exists")
        pending = next(events, None)
