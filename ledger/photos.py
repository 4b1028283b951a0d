"""Evidence photos: checked, re-encoded without metadata and stored by campaign/photos.py (the
one photo path), under the problem's folder, *before* the ledger transaction."""

from campaign.photos import ACCEPTED_FORMATS, PhotoError, StoredPhoto
from campaign.photos import photo_store as _photo_store

__all__ = ["ACCEPTED_FORMATS", "PhotoError", "StoredPhoto", "class_photo_store", "photo_store"]


def photo_store(upload, *, problem_id: int, label: str = "") -> StoredPhoto:
    """Validate one uploaded file and store the re-encoded photo and its thumbnail."""
    return _photo_store(upload, folder=f"ledger/photos/{problem_id}", label=label)


def class_photo_store(upload, *, class_id: int, label: str = "") -> StoredPhoto:
    """The same for the evidence of a problem class's measure, under the class's folder."""
    return _photo_store(upload, folder=f"ledger/class-photos/{class_id}", label=label)
