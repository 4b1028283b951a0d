"""The assessment's models, one module per area (each re-exported here for Django)."""

from .satisfaction import (
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyChange,
    SurveyQuestion,
    SurveyResponse,
)
from .standard import MaterialRequirement, StandardArticle, StandardEdition, StandardPart

__all__ = ["MaterialRequirement", "SatisfactionSurvey", "StandardArticle", "StandardEdition", "StandardPart",
           "SurveyAnswer", "SurveyChange", "SurveyQuestion", "SurveyResponse"]
