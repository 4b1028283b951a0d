"""Objects a person is given by an assignment, beyond their area.

An inspector sees and writes for the sample points of their area (``visible_to`` and
campaign/write_scope.py). An assignment made in a higher app gives them more: a round point
given to an inspector gives them that point while the round is open, whatever their district
(inspections), and the programme's cross-inspection gives a district's inspectors another
district's points the same way. The ground floor cannot import those apps, so they register a
grant here from their ``AppConfig.ready()``:

    register_grant(SamplePoint, function)   # function(user) -> Q on SamplePoint, or None

``granted(model, user)`` is the union of the registered grants (None when nothing is granted).
``SamplePoint.objects.visible_to`` and ``write_scope.writable`` both add it to the user's area:
one rule, so a granted point can be seen, started, answered and submitted, and every page,
endpoint and service that loads through them agrees.
"""

from collections import defaultdict
from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db.models import Q

Grant = Callable[[object], Q | None]

_GRANTS: dict[type, list[Grant]] = defaultdict(list)


def register_grant(model: type, grant: Grant) -> None:
    """Add a grant of ``model`` objects (idempotent: ready() may run more than once in tests)."""
    if grant not in _GRANTS[model]:
        _GRANTS[model].append(grant)


def granted(model: type, user) -> Q | None:
    """The ``model`` objects given to ``user`` by an assignment, or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    conditions = [condition for grant in _GRANTS.get(model, ()) if (condition := grant(user)) is not None]
    return reduce(or_, conditions) if conditions else None
