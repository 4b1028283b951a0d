"""The assessment's models, one module per area (each re-exported here for Django)."""

from .archive import ArchiveExport, MaterialEvent, MaterialFile, MaterialState
from .readiness import DrawSize, MockAssessment, PassLine, PassRule
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
from .vectors import (
    VectorCount,
    VectorSurvey,
    VectorSurveyEvent,
    VectorThreshold,
    VectorThresholdChange,
)

__all__ = [
    "MaterialRequirement", "StandardArticle", "StandardChange", "StandardEdition", "StandardPart",  # the standard
    "SatisfactionSurvey", "SurveyAnswer", "SurveyChange", "SurveyQuestion", "SurveyResponse",  # satisfaction
    "VectorCount", "VectorSurvey", "VectorSurveyEvent", "VectorThreshold", "VectorThresholdChange",  # vectors
    "ArchiveExport", "MaterialEvent", "MaterialFile", "MaterialState",  # the materials archive
    "DrawSize", "MockAssessment", "PassLine", "PassRule",  # readiness
]
