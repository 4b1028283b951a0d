"""Serializers of the campaign structure. They validate only; writes go through
``campaign.services.structure``.

Every related field accepts only objects the requesting user may see (``visible_to``), so an
id from another district is "does not exist", exactly as in the HTML forms; and of those only
what the user may write for (``campaign.write_scope``), else a 400 naming the field.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.geo import city_coordinate_errors
from campaign.models import (
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    Team,
    Unit,
)
from campaign.write_scope import may_write, out_of_scope_message


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key related field limited to what the requesting user may see."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return queryset.visible_to(user) if user is not None else queryset.none()


class WritableRelatedField(VisibleRelatedField):
    """A related field of a write: an object the user may see (else "does not exist") and may
    write for (else a 400 naming the field: campaign.write_scope)."""

    def to_internal_value(self, data):
        obj = super().to_internal_value(data)
        request = self.context.get("request")
        if not may_write(obj, getattr(request, "user", None)):
            raise serializers.ValidationError(out_of_scope_message(obj), code="out_of_scope")
        return obj


class StructureSerializer(serializers.ModelSerializer):
    serializer_related_field = WritableRelatedField


def _label(source: str) -> serializers.CharField:
    """A read-only, human-readable name of a related object (null when there is none)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class DistrictSerializer(StructureSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = District
        fields = ["id", "code", "kind", "name", "name_en", "label", "chief_name", "chief_phone"]


class GridSerializer(StructureSerializer):
    district_label = _label("district.label")

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "district", "district_label", "chief_name", "chief_phone"]


class RoadSerializer(StructureSerializer):
    district_label = _label("district.label")

    class Meta:
        model = Road
        fields = ["id", "name", "section", "district", "district_label", "chief_name", "chief_phone"]


class UnitSerializer(StructureSerializer):
    label = serializers.CharField(read_only=True)
    district_label = _label("district.label")

    class Meta:
        model = Unit
        fields = [
            "id", "kind", "name", "name_en", "label", "district", "district_label",
            "contact_name", "contact_phone",
        ]


class CategorySerializer(StructureSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "kind", "name_zh", "name_en", "label", "order"]


class TeamSerializer(StructureSerializer):
    label = serializers.CharField(read_only=True)
    lead_unit_label = _label("lead_unit.label")

    class Meta:
        model = Team
        fields = [
            "id", "code", "name", "name_en", "label", "leader_name", "leader_title",
            "lead_unit", "lead_unit_label", "member_units", "categories",
        ]


class SamplePointSerializer(StructureSerializer):
    category_label = _label("category.label")
    district_label = _label("district.label")
    grid_label = _label("grid.name")
    road_label = serializers.SerializerMethodField()
    responsible_unit_label = _label("responsible_unit.label")
    team_label = _label("team.label")

    class Meta:
        model = SamplePoint
        fields = [
            "id", "code", "name",
            "category", "category_label",
            "district", "district_label",
            "grid", "grid_label",
            "road", "road_label",
            "address", "latitude", "longitude",
            "responsible_unit", "responsible_unit_label",
            "team", "team_label",
            "active", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_road_label(self, point: SamplePoint) -> str | None:
        return str(point.road) if point.road_id else None

    def validate_latitude(self, value: Decimal | None) -> Decimal | None:
        if value is not None and not Decimal("-90") <= value <= Decimal("90"):
            raise serializers.ValidationError(_("A latitude lies between -90 and 90."))
        return value

    def validate_longitude(self, value: Decimal | None) -> Decimal | None:
        if value is not None and not Decimal("-180") <= value <= Decimal("180"):
            raise serializers.ValidationError(_("A longitude lies between -180 and 180."))
        return value

    def _current(self, attrs: dict, name: str):
        """The value after this write: the new one if given, else the stored one."""
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None) if self.instance is not None else None

    def validate(self, attrs: dict) -> dict:
        district = self._current(attrs, "district")
        errors = {}
        for name in ("grid", "road"):
            area = self._current(attrs, name)
            # Report on the field that was sent; a district change that strands the stored
            # grid is reported on the grid too, since that is what must change with it.
            if area is not None and district is not None and area.district_id != district.pk:
                errors[name] = _("It lies in another district.")
        latitude = self._current(attrs, "latitude")
        longitude = self._current(attrs, "longitude")
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            errors[missing] = _("Give both latitude and longitude, or neither.")
        elif "latitude" in attrs or "longitude" in attrs:
            errors.update(city_coordinate_errors(latitude, longitude))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ["month", "value", "note"]
        read_only_fields = fields


class IndicatorSerializer(StructureSerializer):
    label = serializers.CharField(read_only=True)
    category_label = _label("category.label")
    values = IndicatorValueSerializer(many=True, read_only=True)
    latest = serializers.SerializerMethodField()
    met = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name", "name_en", "label", "category", "category_label",
            "unit_of_measure", "target", "direction", "values", "latest", "met",
        ]

    @staticmethod
    def _latest(indicator: Indicator) -> IndicatorValue | None:
        # Uses the prefetched values (ordered by month), so a list costs no query per row.
        values = list(indicator.values.all())
        return max(values, key=lambda v: v.month) if values else None

    @extend_schema_field(IndicatorValueSerializer(allow_null=True))
    def get_latest(self, indicator: Indicator) -> dict | None:
        latest = self._latest(indicator)
        return IndicatorValueSerializer(latest).data if latest else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_met(self, indicator: Indicator) -> bool | None:
        """Whether the latest monthly value reaches the target; null without a value."""
        latest = self._latest(indicator)
        return indicator.is_met(latest.value if latest else None)


# --- API access ----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        label=_("Token"), read_only=True, help_text=_('Send it as "Authorization: Token <token>".')
    )


class LockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
