"""The programme's lists in Excel (campaign/exporting.py), one module per area."""
