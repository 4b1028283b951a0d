"""POST /api/field/devices/: a phone registers itself for the signed-in person (README "Cutting
off a lost phone"). Every later request of the field app carries its id in ``X-Field-Device``;
a phone HQ cut off is refused by fieldwork/middleware.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.api.parsers import JSONParser
from campaign.choices import Role
from ledger.api.errors import ForbiddenError

from ..services import devices as services
from . import serializers as s


class FieldStaffOnly(IsAuthenticated):
    """Signed-in, active members of staff (the public has no field work)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(super().has_permission(request, view) and user.is_active
                    and (user.is_superuser or user.role != Role.PUBLIC))


class DeviceRegisterView(APIView):
    permission_classes = [FieldStaffOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        summary=_("Register this phone for field work"), tags=["fieldwork"], request=s.DeviceRegisterSerializer,
        description=_("Once per person and phone (201), again later (200: the label and last sync are refreshed). "
                      "A phone HQ cut off answers 403 device_revoked here as everywhere; a new phone of a person "
                      "who had one cut off answers 403 device_registration_blocked until HQ allows new phones."),
        responses={201: s.DeviceSerializer, 200: s.DeviceSerializer,
                   400: OpenApiResponse(s.CodedErrorSerializer, description=_("The device is not a UUID.")),
                   403: OpenApiResponse(s.CodedErrorSerializer, description=_("Not signed in, the phone is cut off, or new phones are blocked."))},
    )
    def post(self, request):
        serializer = s.DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            device, created = services.device_register(
                user=request.user, device=serializer.validated_data["device"],
                label=serializer.validated_data["label"], session_key=request.session.session_key,
            )
        except services.DeviceRegistrationBlocked as error:
            return Response({"detail": str(error), "code": "device_registration_blocked"},
                            status=status.HTTP_403_FORBIDDEN)
        except services.DeviceForbidden as error:
            raise ForbiddenError(str(error)) from error
        return Response(s.DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


routes = [
    path("field/devices/", DeviceRegisterView.as_view(), name="field-device-register"),
]
