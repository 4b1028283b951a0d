"""The assessment's models, one module per area (each re-exported here for Django)."""

from .standard import MaterialRequirement, StandardArticle, StandardEdition, StandardPart
from .vectors import (
           VectorCount,
           VectorSurvey,
           VectorSurveyEvent,
           VectorThreshold,
           VectorThresholdChange,
)

__all__ = ["MaterialRequirement", "StandardArticle", "StandardEdition", "StandardPart",
           "VectorCount", "VectorSurvey", "VectorSurveyEvent", "VectorThreshold", "VectorThresholdChange"]
