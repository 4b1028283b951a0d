"""The assessment's models, one module per area (each re-exported here for Django)."""

from .readiness import DrawSize, MockAssessment, PassLine, PassRule
from .satisfaction import (
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyChange,
    SurveyQuestion,
    SurveyResponse,
)
from .standard import MaterialRequirement, StandardArticle, StandardEdition, StandardPart

__all__ = [
    "DrawSize", "MockAssessment", "PassLine", "PassRule",
    "MaterialRequirement", "SatisfactionSurvey", "StandardArticle", "StandardEdition", "StandardPart",
           "SurveyAnswer", "SurveyChange", "SurveyQuestion", "SurveyResponse"]
