from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..filters import NotificationFilterSet
from ..models import Notification
from .serializers import NotificationSerializer, ReadAllSerializer


@extend_schema_view(
    list=extend_schema(summary=_("My notifications, unread first"), tags=["notifications"]),
    retrieve=extend_schema(summary=_("One of my notifications"), tags=["notifications"]),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's notifications, rendered in their language."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user).select_related("recipient").order_by(
            F("read_at").desc(nulls_first=True), "-created_at", "-id")

    @extend_schema(summary=_("Mark one of my notifications read"), tags=["notifications"], request=None,
                   responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_read(notification=self.get_object(), user=request.user)
        return Response(self.get_serializer(notification).data)

    @extend_schema(summary=_("Mark all my notifications read"), tags=["notifications"], request=None,
                   responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_read_all(user=request.user)})
