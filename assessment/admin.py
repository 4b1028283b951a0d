"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""

from . import admin_readiness  # noqa: E402,F401 (readiness: pass lines, draw sizes, mock assessments)
