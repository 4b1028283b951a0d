"""Open311 GeoReport v2 at ``/open311/v2/``: the public channel for other systems.

Each active ``PublicCategory`` is a service (its code is the service code); a request posted
with an HQ-issued ``api_key`` enters the same moderation queue as a report from the reporting
page (``services.open311_request_submit``, channel "open311"). Reads never show anything about
the reporter. ``renderers.py`` writes the spec's JSON and XML, ``definitions.py`` the services,
their attributes and the requests as the spec names their fields, ``views.py`` the endpoints.
"""
