"""The assessment's models, one module per area (each re-exported here for Django)."""

from .archive import ArchiveExport, MaterialEvent, MaterialFile, MaterialState
from .satisfaction import (
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyChange,
    SurveyQuestion,
    SurveyResponse,
)
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
    "SatisfactionSurvey",
    "StandardArticle",
    "StandardChange",
    "StandardEdition",
    "StandardPart",
    "SurveyAnswer",
    "SurveyChange",
    "SurveyQuestion",
    "SurveyResponse",
]
