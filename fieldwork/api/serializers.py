"""Serializers of the field app's API: they shape answers and validate input only; changes go
through fieldwork/services/."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from inspections.api.serializers import OfflineChecklistSerializer
from ledger.api.serializers import _page_url


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True, help_text=_("Why the request was refused, for the user."))
    code = serializers.CharField(read_only=True, required=False, help_text=_(
        "A stable code: device_revoked, idempotency_key_reused, idempotency_key_invalid, not_authenticated…"
    ))


# --- Devices --------------------------------------------------------------------------------------


class DeviceRegisterSerializer(serializers.Serializer):
    device = serializers.UUIDField(help_text=_("The id the phone made once for itself (a UUID)."))
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                  help_text=_("A short description, e.g. the browser and the system."))


class DeviceSerializer(serializers.Serializer):
    device = serializers.UUIDField(read_only=True)
    label = serializers.CharField(read_only=True)
    registered_at = serializers.DateTimeField(read_only=True)
    revoked = serializers.BooleanField(source="is_revoked", read_only=True)


# --- The offline copy -----------------------------------------------------------------------------


class OfflineUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    role = serializers.CharField(read_only=True)


class OfflineRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)


class OfflineSamplePointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district.label", read_only=True)
    category = serializers.CharField(source="category.label", read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)


class OfflineResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    outcome = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)


class OfflineInspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    results = OfflineResultSerializer(many=True, read_only=True)


class OfflinePointSerializer(serializers.Serializer):
    round_point = serializers.IntegerField(source="pk", read_only=True)
    round = OfflineRoundSerializer(read_only=True)
    sample_point = OfflineSamplePointSerializer(read_only=True)
    inspection = OfflineInspectionSerializer(source="offline_inspection", read_only=True, allow_null=True)
    checklist = OfflineChecklistSerializer(source="offline_checklist", read_only=True, allow_null=True, help_text=_(
        "A started inspection's own version, else the category's current one (null: no checklist yet)."
    ))


class OfflineInspectorSerializer(serializers.Serializer):
    points = OfflinePointSerializer(many=True, read_only=True)


class OfflinePointRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class OfflinePhotoSerializer(serializers.Serializer):
    thumbnail = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_thumbnail(self, photo) -> str:
        return _page_url("ledger:photo_thumbnail", photo.pk, f"/ledger/photos/{photo.pk}/thumb/",
                         self.context.get("request"))

    def get_url(self, photo) -> str:
        return _page_url("ledger:photo", photo.pk, f"/ledger/photos/{photo.pk}/", self.context.get("request"))


class OfflineCanSerializer(serializers.Serializer):
    acknowledge = serializers.BooleanField(read_only=True)
    apply_close = serializers.BooleanField(read_only=True)


class OfflineTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    version = serializers.IntegerField(read_only=True, help_text=_("Send it back with acknowledge and apply-close."))
    description = serializers.CharField(read_only=True)
    deadline = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    category = serializers.CharField(source="category.label", read_only=True)
    severity = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district.label", read_only=True)
    sample_point = OfflinePointRefSerializer(read_only=True, allow_null=True)
    photos = OfflinePhotoSerializer(many=True, read_only=True)
    last_rejection = serializers.SerializerMethodField()
    can = OfflineCanSerializer(source="offline_can", read_only=True)

    def get_last_rejection(self, problem) -> str | None:
        return problem.last_rejection_reason or None


class OfflineUnitSerializer(serializers.Serializer):
    tasks = OfflineTaskSerializer(many=True, read_only=True)


class OfflineBundleSerializer(serializers.Serializer):
    user = OfflineUserSerializer(read_only=True)
    generated_at = serializers.DateTimeField(read_only=True)
    days = serializers.IntegerField(read_only=True)
    inspector = OfflineInspectorSerializer(read_only=True, allow_null=True, help_text=_(
        "An inspector's round points assigned to them in rounds running now or starting within the days asked, "
        "not yet submitted; null for other roles."
    ))
    unit = OfflineUnitSerializer(read_only=True, allow_null=True, help_text=_(
        "A unit handler's open tasks (assigned, in rectification, closing rejected); null for other roles."
    ))
