"""config/heap.py: a server process freezes its loaded heap at start and after its first requests."""

import gc
import weakref

from django.dispatch import Signal

from config import heap


def test_a_server_freezes_at_start_and_once_after_its_first_requests(monkeypatch):
    frozen = []
    monkeypatch.setattr(heap.gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(heap, "SETTLE_AFTER", 3)
    finished = Signal()  # stands for request_finished, whose other receivers touch the database
    receiver = heap.settle_at_start(finished)
    try:
        assert len(frozen) == 1 and finished.has_listeners()
        for _ in range(2):
            finished.send(sender=None)
        assert len(frozen) == 1
        finished.send(sender=None)
        assert len(frozen) == 2 and not finished.has_listeners()  # settled, then gone
        for _ in range(5):
            finished.send(sender=None)
        assert len(frozen) == 2
    finally:
        finished.disconnect(receiver)


class Node:
    pass


def test_settle_collects_a_dead_cycle_and_freezes_what_is_alive():
    alive = [Node()]
    cycle = Node()
    cycle.me = cycle
    dead = weakref.ref(cycle)
    del cycle
    assert dead() is not None and gc.is_tracked(alive)
    frozen_before = gc.get_freeze_count()
    try:
        heap.settle()
        assert dead() is None  # collected before the freeze, not kept for the process's life
        assert gc.get_freeze_count() > frozen_before
        assert not any(obj is alive for obj in gc.get_objects())  # frozen: out of every generation
    finally:
        gc.unfreeze()
    assert any(obj is alive for obj in gc.get_objects())
