"""The field app's records, one module per area."""
