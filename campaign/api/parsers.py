"""The API's parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's own, refusing a body
with a control character in any key or value with 400 naming the field, before any view or
serializer reads it (campaign/control_characters.py). A view that names its parsers picks
them from here."""

import re
from collections.abc import Mapping

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from campaign.control_characters import control_character_errors

# What a serializer field can be called. A body's other top-level keys name no field: every
# serializer ignores them (the schema allows additional properties), so they are not refused.
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _named_fields(data):
    if hasattr(data, "lists"):  # QueryDict, MultiValueDict
        return {key: values for key, values in data.lists() if FIELD_NAME.match(key)}
    if isinstance(data, Mapping):
        return {key: value for key, value in data.items() if isinstance(key, str) and FIELD_NAME.match(key)}
    return data


def _refuse_control_characters(parsed):
    data, files = (parsed.data, parsed.files) if isinstance(parsed, parsers.DataAndFiles) else (parsed, None)
    errors = control_character_errors(_named_fields(data))
    if files is not None:
        errors.update(control_character_errors(_named_fields(files)))
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return parsed


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_control_characters(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_control_characters(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_control_characters(super().parse(stream, media_type, parser_context))
