"""The programme's models, one module per area (each re-exported here for Django)."""

from .actions import ActionImport, ActionTarget, SpecialAction, TargetEvent, TargetPhoto
from .cycle import PlanRound, RoundPlan, RoundPlanEvent, RoundPlanQuota
from .pairing import Pair, PairingEvent, PairPhoto, PairTask, PairVisit
from .sites import (  # model sites and the sample points' build-out
    BuildoutEvent,
    BuildoutState,
    ModelSite,
    ModelSiteEvent,
    ModelSitePhoto,
    ModelSiteStatus,
    SamplePointBuildout,
)

__all__: list[str] = [
    "ActionImport", "ActionTarget", "SpecialAction", "TargetEvent", "TargetPhoto",  # special actions
    "PlanRound", "RoundPlan", "RoundPlanEvent", "RoundPlanQuota",  # the supervision cycle
    "BuildoutEvent", "BuildoutState", "ModelSite", "ModelSiteEvent", "ModelSitePhoto", "ModelSiteStatus",
    "SamplePointBuildout",  # model sites and the build-out
    "Pair", "PairingEvent", "PairPhoto", "PairTask", "PairVisit",  # pairing
]
