"""The programme's models, one module per area (each re-exported here for Django)."""

from .actions import ActionImport, ActionTarget, SpecialAction, TargetEvent, TargetPhoto

__all__: list[str] = ["ActionImport", "ActionTarget", "SpecialAction", "TargetEvent", "TargetPhoto"]
