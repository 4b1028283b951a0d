"""Writes to the campaign's tables. Views, API, importers and tasks call these; nothing else
writes. Split by subdomain: structure (HQ set-up), people (users and roles), imports."""
