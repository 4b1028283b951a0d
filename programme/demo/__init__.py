"""The programme's demo steps, one module per area (registered in apps.py)."""
