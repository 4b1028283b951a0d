"""The programme's models, one module per area (each re-exported here for Django)."""

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
    "BuildoutEvent", "BuildoutState", "ModelSite", "ModelSiteEvent", "ModelSitePhoto", "ModelSiteStatus",
    "SamplePointBuildout",
]
