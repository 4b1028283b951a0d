"""The ledger in Excel: the template's columns, streaming export, and import with preview.

- ``columns``: the template (15 columns, headers in Chinese or English) and how values read.
- ``export``: write a queryset of problems as the template, streaming (flat memory).
- ``planning``: read an uploaded ledger and check every row; writes nothing.
- ``services``: write a checked ledger all or nothing (the new problems in one batch, ``problems_import``), and the
  import and export jobs that the pages, the API, the commands and the worker share.
- ``fengxian``: turn Fengxian's unannounced-visit problem summary into the template.
"""
