"""The programme's models, one module per area (each re-exported here for Django)."""

__all__: list[str] = []
