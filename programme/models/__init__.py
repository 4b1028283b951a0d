"""The programme's models, one module per area (each re-exported here for Django)."""

from .pairing import Pair, PairingEvent, PairPhoto, PairTask, PairVisit

__all__: list[str] = ["Pair", "PairingEvent", "PairPhoto", "PairTask", "PairVisit"]
