"""config/heap.py: a server process freezes its loaded heap at start and after its first requests."""

import gc

from django.core.signals import request_finished

from config import heap


def test_a_server_freezes_at_start_and_once_after_its_first_requests(monkeypatch):
    frozen = []
    monkeypatch.setattr(heap.gc, "freeze", lambda: frozen.append(gc.get_freeze_count()))
    monkeypatch.setattr(heap, "SETTLE_AFTER", 3)
    receivers = len(request_finished.receivers)
    heap.settle_at_start()
    assert len(frozen) == 1 and len(request_finished.receivers) == receivers + 1
    for _ in range(2):
        request_finished.send(sender=None)
    assert len(frozen) == 1
    request_finished.send(sender=None)
    assert len(frozen) == 2 and len(request_finished.receivers) == receivers  # settled, then gone
    for _ in range(5):
        request_finished.send(sender=None)
    assert len(frozen) == 2


def test_settle_freezes_what_is_alive_and_collects_what_is_not():
    before = gc.get_freeze_count()
    cycle = []
    cycle.append(cycle)
    kept = {"alive": True}
    del cycle
    try:
        heap.settle()
        assert gc.get_freeze_count() > before
        assert any(obj is kept for obj in gc.get_objects()) is False  # frozen objects are not tracked by generations
    finally:
        gc.unfreeze()
