"""The one rule for text coming in: control characters are refused, at every boundary.

NUL and the other C0 and C1 control characters (and DEL) break exports ("cannot be used in
worksheets"), reports and PostgreSQL (NUL), and no person types them. Tab, line feed and
carriage return are kept: descriptions have real line breaks. The rule is applied once per
kind of input, not per field:

- the API: the project's parsers (``campaign.api.parsers``) refuse a body with one in any key
  or value, naming the field (400);
- pages: every form inherits ``ControlCharactersRefused`` (an error on the field);
- query strings (filters included), anywhere: ``ControlCharacterMiddleware`` (400 naming the
  parameter), also the backstop for what no form reads;
- imports (sample points, ledger, checklists): ``campaign.importing.reading.control_character_cells``
  (an error with the row and column; the whole file is refused).
"""

import re
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# C0 without tab (09), line feed (0A) and carriage return (0D); DEL; C1.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def first_control_character(text: str) -> str | None:
    found = CONTROL_CHARACTER.search(text)
    return found.group() if found else None


def visible(text: str) -> str:
    """The text with each control character written as \\xNN, safe to store and show."""
    return CONTROL_CHARACTER.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def refusal(character: str) -> str:
    """The message, in the active language."""
    return _(
        "Contains the control character U+%(code)s, which is not allowed: remove it "
        "(tabs and line breaks are fine)."
    ) % {"code": f"{ord(character):04X}"}


def refuse_control_characters(value) -> None:
    """A Django validator: ValidationError if ``value`` (text) holds a control character."""
    character = first_control_character(str(value)) if isinstance(value, str) else None
    if character:
        raise ValidationError(refusal(character), code="control_character")


def _texts(value) -> Iterator[str]:
    """Every text inside a submitted value (lists, uploaded files' names)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, UploadedFile):
        yield value.name or ""
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def _items(data) -> Iterator[tuple[str, object]]:
    if hasattr(data, "lists"):  # QueryDict, MultiValueDict: every value of a repeated key
        yield from data.lists()
    elif isinstance(data, Mapping):
        yield from data.items()


def control_character_errors(data, prefix: str = "") -> dict[str, str]:
    """{field: message} for every key or value of ``data`` holding a control character.

    ``data`` is parsed input: a dict or list from JSON (nested fields are named
    ``parent.child`` and ``items.0.text``), or a QueryDict or MultiValueDict of form fields
    and uploaded files."""
    errors: dict[str, str] = {}
    if isinstance(data, (list, tuple)):
        for index, item in enumerate(data):
            errors.update(control_character_errors(item, f"{prefix}{index}."))
        return errors
    if isinstance(data, str):
        character = first_control_character(data)
        if character:
            errors[prefix.rstrip(".") or "non_field_errors"] = refusal(character)
        return errors
    for key, value in _items(data):
        name = f"{prefix}{key}"
        character = first_control_character(str(key))
        if character:
            errors[visible(name)] = refusal(character)
            continue
        if isinstance(value, (Mapping, list, tuple)) and not _is_flat(value):
            errors.update(control_character_errors(value, f"{name}."))
            continue
        for text in _texts(value):
            character = first_control_character(text)
            if character:
                errors[name] = refusal(character)
                break
    return errors


def _is_flat(value) -> bool:
    """A list of plain values (a repeated form field), not nested JSON."""
    return isinstance(value, (list, tuple)) and all(isinstance(v, (str, UploadedFile)) or v is None for v in value)


class ControlCharactersRefused:
    """Form mixin: a control character in what was submitted for a field is that field's
    error, before the field reads it (a NUL would otherwise reach the database in a lookup).

    Works for forms, model forms, formsets' forms and FilterSets' forms alike."""

    def full_clean(self):
        refused = self._control_character_fields() if self.is_bound else {}
        if not refused:
            return super().full_clean()
        submitted = self.data
        html_names = [self.add_prefix(name) for name in refused]
        keys = {key for key in submitted if any(key == html or key.startswith(f"{html}_") for html in html_names)}
        cleaned = submitted.copy()
        for key in keys:
            cleaned.pop(key, None)
        self.data = cleaned
        try:
            super().full_clean()
        finally:
            self.data = submitted
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        for field_name, message in refused.items():
            self.cleaned_data.pop(field_name, None)
            self._errors[field_name] = self.error_class([message])

    def _control_character_fields(self) -> dict[str, str]:
        refused = {}
        for name, field in self.fields.items():
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for text in _texts(raw):
                character = first_control_character(text)
                if character:
                    refused[name] = refusal(character)
                    break
        return refused
