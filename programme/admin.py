"""HQ sets up the programme here; nothing that holds a record is deleted."""
