"""The programme's models, one module per area (each re-exported here for Django)."""

from .cycle import PlanRound, RoundPlan, RoundPlanEvent, RoundPlanQuota

__all__: list[str] = ["PlanRound", "RoundPlan", "RoundPlanEvent", "RoundPlanQuota"]
