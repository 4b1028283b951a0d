"""``/open311/v2/``: the format is the extension (``.json`` or ``.xml``), as the spec has it."""

from django.urls import path, register_converter

from . import views
from .renderers import FormatConverter

register_converter(FormatConverter, "open311fmt")

app_name = "open311"

urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<open311fmt:fmt>", views.service_list, name="services"),
    path("services/<slug:code>.<open311fmt:fmt>", views.service_definition, name="service"),
    path("requests.<open311fmt:fmt>", views.request_list, name="requests"),
    path("requests/<str:request_id>.<open311fmt:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<open311fmt:fmt>", views.token_detail, name="token"),
    # Anything else under /open311/v2/ is the spec's 404 (in JSON when asked with .json).
    path("", views.not_found, name="root"),
    path("<path:rest>", views.not_found, name="not_found"),
]
