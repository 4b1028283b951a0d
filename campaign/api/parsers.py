"""The API's parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): DRF's own, refusing a body
with a control character in any key or value with 400 naming the field, before any view or
serializer reads it (campaign/control_characters.py). A view that names its parsers picks
them from here."""

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from campaign.control_characters import control_character_errors


def _refuse_control_characters(parsed):
    data, files = (parsed.data, parsed.files) if isinstance(parsed, parsers.DataAndFiles) else (parsed, None)
    errors = control_character_errors(data)
    if files is not None:
        errors.update(control_character_errors(files))
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
