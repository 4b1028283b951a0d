"""The web process's heap kept out of the garbage collector's way (``gc.freeze``).

CPython's cyclic collector walks every tracked object of a generation when it collects it. A
Django process holds some 200,000 long-lived objects (modules, models, URL patterns, compiled
templates) that are never garbage, and every full collection walked them all: at the ledger's
list endpoint one full collection came in 300 requests, and the collector took 0.9-1.1 ms per
request on average, about 6% of the endpoint's time (0.3 ms once frozen; bench/README.md). ``gc.freeze()`` moves every object alive at that moment to a
permanent generation the collector no longer walks; objects made afterwards are collected as
before. What is frozen is kept for the process's life: at the second freeze that includes the
objects of requests other threads are serving at that moment (a one-off of a few kilobytes).

``settle()`` freezes what is loaded: config/wsgi.py and config/asgi.py call it once the
application and its URL configuration are loaded, and again after the process's first
``SETTLE_AFTER`` requests, which compile the pages' templates.
"""

import gc
import threading

from django.core.signals import request_finished
from django.urls import get_resolver

SETTLE_AFTER = 50


def settle() -> None:
    """Collect what is garbage now, then freeze everything still alive."""
    gc.collect()
    gc.freeze()


def settle_at_start(finished=request_finished):
    """For a server process: freeze the loaded application now (its URL configuration imports
    every view), and once more after its first SETTLE_AFTER requests (``finished`` sent at the
    end of each). Returns the receiver connected to ``finished``."""
    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration and every view
    settle()
    served = 0
    lock = threading.Lock()  # gunicorn's threads finish requests at the same time

    def after_first_requests(**kwargs):
        nonlocal served
        with lock:
            served += 1
            if served != SETTLE_AFTER:
                return
        finished.disconnect(after_first_requests)
        settle()

    finished.connect(after_first_requests, weak=False)
    return after_first_requests
