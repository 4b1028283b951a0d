"""The field app's records, one module per area."""

from .devices import FieldDevice, FieldDeviceSession

__all__: list[str] = [
    "FieldDevice", "FieldDeviceSession",  # phones and the sessions they used (server)
]
