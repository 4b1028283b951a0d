"""Problems in any state, built through the ledger's own services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ledger import services
from ledger.choices import Source, Status
from ledger.photos import photo_store


def jpeg_upload(name="after.jpg", size=(64, 48), color=(30, 120, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_photo(problem_id=0):
    return photo_store(jpeg_upload(), problem_id=problem_id)


def record(city, *, by=None, point=None, **extra):
    point = point or city.points_a[0]
    # The inspector records in their district (A); HQ staff anywhere else (campaign/write_scope.py).
    by = by or (city.inspector if point.district_id == city.district_a.pk else city.hq)
    return services.problem_record(
        by=by, category=point.category, sample_point=point,
        description=extra.pop("description", "活禽宰杀区未封闭"), source=extra.pop("source", Source.UNANNOUNCED_VISIT),
        **extra,
    )


def problem_in(city, status: str, *, point=None):
    """A problem of district A's office, brought to ``status`` by the people who would do it."""
    problem = record(city, point=point)
    if status == Status.FOUND:
        return problem
    if status == Status.INVALID:
        return services.problem_invalidate(problem=problem, reason="不属于问题", by=city.hq)
    problem = services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    if status == Status.ASSIGNED:
        return problem
    problem = services.problem_acknowledge(problem=problem, by=city.unit_handler)
    if status == Status.RECTIFYING:
        return problem
    problem = services.problem_apply_close(problem=problem, note="已封闭并清洗", photos=[stored_photo(problem.pk)],
                                           by=city.unit_handler)
    if status == Status.CLOSING_APPLIED:
        return problem
    return services.problem_verify(problem=problem, approved=True, note="现场核实", by=city.district_lead)
