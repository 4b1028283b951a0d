"""The assessment's models, one module per area (each re-exported here for Django)."""

from .standard import (
    MaterialRequirement,
    StandardArticle,
    StandardChange,
    StandardEdition,
    StandardPart,
)

__all__ = [
    "MaterialRequirement",
    "StandardArticle",
    "StandardChange",
    "StandardEdition",
    "StandardPart",
]
