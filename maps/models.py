"""The map stores nothing of its own: it reads sample points and boundaries (campaign) and
problems (ledger) through their ``visible_to`` scoping (see selectors.py)."""
