"""The assessment's models, one module per area (each re-exported here for Django)."""

from .archive import ArchiveExport, MaterialEvent, MaterialFile, MaterialState
from .standard import (
    MaterialRequirement,
    StandardArticle,
    StandardChange,
    StandardEdition,
    StandardPart,
)

__all__ = [
    "ArchiveExport",
    "MaterialEvent",
    "MaterialFile",
    "MaterialRequirement",
    "MaterialState",
    "StandardArticle",
    "StandardChange",
    "StandardEdition",
    "StandardPart",
]
