"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""
