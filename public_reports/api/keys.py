"""``/api/open311-keys/`` (HQ staff only): the keys other systems post Open311 requests with.

``GET`` lists them (the first characters, the system, who issued it and when, last use,
revocation); ``POST`` issues one and answers the key itself, the only time it is shown;
``POST {id}/revoke/`` revokes one (a revoked key stays listed). Writes go through
``public_reports.services.open311_key_issue`` / ``open311_key_revoke``.
"""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from .. import services
from ..models import Open311Key, hq_staff


class IsHQStaff(BasePermission):
    message = _("Only HQ staff manage Open311 keys.")

    def has_permission(self, request, view) -> bool:
        return hq_staff(request.user)


class Open311KeySerializer(serializers.ModelSerializer):
    issued_by = serializers.CharField(source="created_by.username", read_only=True)
    revoked_by = serializers.CharField(source="revoked_by.username", read_only=True, allow_null=True, default=None)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Open311Key
        fields = ["id", "name", "prefix", "issued_by", "created_at", "last_used_at", "active", "revoked_at",
                  "revoked_by"]
        read_only_fields = fields


class Open311KeyIssueSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text=_("The system the key is for, e.g. the 12345 hotline."))


class Open311KeyIssuedSerializer(Open311KeySerializer):
    key = serializers.CharField(read_only=True, help_text=_(
        "The key itself: shown in this answer only (the server keeps its digest)."))

    class Meta(Open311KeySerializer.Meta):
        fields = [*Open311KeySerializer.Meta.fields, "key"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Open311 keys"), tags=["open311"], description=_(
        "Every key issued, newest first, with its first characters (never the key itself).")),
    retrieve=extend_schema(summary=_("One Open311 key"), tags=["open311"]),
    create=extend_schema(summary=_("Issue an Open311 key"), tags=["open311"], request=Open311KeyIssueSerializer,
                         responses={201: Open311KeyIssuedSerializer}, description=_(
                             "The answer carries the key; it is not shown again.")),
    revoke=extend_schema(summary=_("Revoke an Open311 key"), tags=["open311"], request=None,
                         responses={200: Open311KeySerializer}, description=_(
                             "The key stops working at once; it stays listed as revoked.")),
)
class Open311KeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Open311Key.objects.all()
    permission_classes = [IsAuthenticated, IsHQStaff]
    serializer_class = Open311KeySerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Open311Key.objects.select_related("created_by", "revoked_by").order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = Open311KeyIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            key, raw = services.open311_key_issue(name=data.validated_data["name"], by=request.user)
        except services.PublicReportForbidden as error:
            raise PermissionDenied(str(error)) from error
        except services.PublicReportError as error:
            raise ValidationError({"name": [str(error)]}) from error
        key = self.get_queryset().get(pk=key.pk)
        key.key = raw
        return Response(Open311KeyIssuedSerializer(key).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        key = self.get_object()
        try:
            services.open311_key_revoke(key=key, by=request.user)
        except services.PublicReportForbidden as error:
            raise PermissionDenied(str(error)) from error
        return Response(Open311KeySerializer(self.get_queryset().get(pk=key.pk)).data)


router = SimpleRouter()
router.register("open311-keys", Open311KeyViewSet, basename="open311key")
urlpatterns = [path("", include(router.urls))]
