"""The OpenAPI schema's documentation of what config/api.py makes every endpoint answer.

``document_error_responses`` (a drf-spectacular postprocessing hook) writes each operation's
refusals as they are answered: 400 with the input's field errors or ``{"detail"}``, and
``{"detail"}`` for 401, 403, 404 and 415; refusals are JSON even where the success is a file.
``AutoSchema`` adds the constraints drf-spectacular leaves out (the schema's endpoint:
config/schema_view.py).
"""

import re

from django.core import validators
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# --- The schema's error answers -------------------------------------------------------------

ERROR_DETAIL = "ErrorDetail"
VALIDATION_ERROR = "ValidationError"

ERROR_COMPONENTS = {
    ERROR_DETAIL: {
        "type": "object",
        "description": "Why the request was refused, for the user.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            "The input was refused: either `detail` (the request as a whole), or each refused "
            "field with its messages (`non_field_errors` for rules across fields; an object for "
            "a nested field, a list of objects for a list of them)."
        ),
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    },
}

# The refusals every operation may answer, and when.
REFUSALS = {
    "401": "Not signed in: no or an unknown token (send `Authorization: Token …`).",
    "403": "Signed in, but your role may not do this.",
    "404": "No such object that you may see, or a page or cursor that does not exist.",
    "415": "The request body is not in one of the documented media types.",
}
INPUT_REFUSAL = "The input was refused; the answer names each refused field."
# Refused by the server (gunicorn) before the application, as an HTML page: a request line
# (method, path and query) longer than its limit_request_line (4094 bytes, gunicorn's default).
URI_TOO_LONG = {
    "description": "The query is longer than the server accepts (the request line's limit); "
                   "answered by the server itself, as an HTML page.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _is_paginated(operation: dict) -> bool:
    return any(p.get("in") == "query" and p.get("name") in ("page", "cursor") for p in operation.get("parameters", []))


def _document_bad_request(operation: dict, responses: dict) -> None:
    takes_input = "requestBody" in operation or any(
        p.get("in") == "query" for p in operation.get("parameters", [])
    )
    existing = responses.get("400")
    if existing is None:
        if takes_input:
            responses["400"] = _json(_ref(VALIDATION_ERROR), INPUT_REFUSAL)
        return
    content = existing.setdefault("content", {})
    json_body = content.get("application/json")
    if json_body is None:  # documented without a body: it has the one error shape
        content["application/json"] = {"schema": _ref(VALIDATION_ERROR)}
        return
    schema = json_body.get("schema", {})
    if schema.get("$ref", "").endswith(("/Error", f"/{ERROR_DETAIL}")):
        json_body["schema"] = _ref(VALIDATION_ERROR)  # a {"detail"} refusal, or the input's field errors
    elif schema != _ref(VALIDATION_ERROR):
        # A documented answer of its own (e.g. an import's row errors), or the input's field errors.
        json_body["schema"] = {"anyOf": [schema, _ref(VALIDATION_ERROR)]}


def _document_refusal(responses: dict, code: str) -> None:
    existing = responses.get(code)
    if existing is None:
        responses[code] = _json(_ref(ERROR_DETAIL), REFUSALS[code])
        return
    content = existing.setdefault("content", {})
    if "application/json" not in content:
        content["application/json"] = {"schema": _ref(ERROR_DETAIL)}


def _refusals_answer_json(responses: dict) -> None:
    """A refusal is JSON whatever the operation's success answers (e.g. a workbook)."""
    for code, response in responses.items():
        content = response.get("content") or {}
        if code.startswith("4") and code != "400" and not content:
            response["content"] = {"application/json": {"schema": _ref(ERROR_DETAIL)}}
        elif code.startswith("4") and any(media != "application/json" for media in content):
            schemas = [body.get("schema") for body in content.values() if body.get("schema")]
            response["content"] = {"application/json": {"schema": schemas[0] if schemas else _ref(ERROR_DETAIL)}}


# campaign/control_characters.py: NUL, the other C0 controls but tab, LF and CR, DEL and C1 are
# refused wherever text comes in (400 naming the field or parameter). The schema says so.
NO_CONTROL = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _free_text(schema: dict) -> bool:
    return schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema)


def _text_parameters_refuse_control_characters(operation: dict) -> None:
    """Query parameters refuse a control character with a 400 (the middleware); say so."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "query" and _free_text(schema):
            schema["pattern"] = NO_CONTROL


def _text_inputs_refuse_control_characters(node) -> None:
    """Every free-text property of a request body (and of its nested objects and lists)."""
    if isinstance(node, dict):
        if _free_text(node):
            node["pattern"] = NO_CONTROL
        for value in node.values():
            _text_inputs_refuse_control_characters(value)
    elif isinstance(node, list):
        for value in node:
            _text_inputs_refuse_control_characters(value)


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document every operation's refusals as they are
    answered (see the module docstring), and give decimal strings a pattern that only numbers
    match (drf-spectacular's also admits "", "-" and ".")."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.update(ERROR_COMPONENTS)
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            _refusals_answer_json(responses)
            _document_bad_request(operation, responses)
            if any(operation.get("security") or []):  # absent or [{}]: open to all
                _document_refusal(responses, "401")
                _document_refusal(responses, "403")
            if "{" in path or _is_paginated(operation):
                _document_refusal(responses, "404")
            if "requestBody" in operation:
                _document_refusal(responses, "415")
            if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                responses.setdefault("414", URI_TOO_LONG)
            _text_parameters_refuse_control_characters(operation)
    _tighten_decimal_patterns(components)
    for name, component in components.items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: the request side of a serializer
            _decimal_inputs_take_numbers(component.get("properties", {}))
            _text_inputs_refuse_control_characters(component.get("properties", {}))
    _drop_marks(components)
    return result


DECIMAL_PATTERN = re.compile(r"^\^-\?(?:0\?|\\d\{0,(\d+)\})\(\?:\\(.)\\d\{0,(\d+)\}\)\?\$$")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, plus what it leaves out: a list input that may not be empty
    (``allow_empty=False``) has ``minItems: 1``."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema["minItems"] = max(schema.get("minItems", 0), 1)
        if schema.get("format") == "decimal":  # kept for the request's number form (below)
            for validator in field.validators:
                if isinstance(validator, validators.MinValueValidator):
                    schema["x-minimum"] = validator.limit_value
                elif isinstance(validator, validators.MaxValueValidator):
                    schema["x-maximum"] = validator.limit_value


def _tighten_decimal_pattern(schema: dict) -> None:
    if schema.get("format") != "decimal" or "pattern" not in schema:
        return
    match = DECIMAL_PATTERN.match(schema["pattern"])
    if not match:
        return
    whole, separator, places = match.group(1) or "0", match.group(2), match.group(3)
    whole_part = rf"\d{{1,{whole}}}" if int(whole) else "0"
    fraction = rf"\{separator}\d{{1,{places}}}" if int(places) else ""
    schema["pattern"] = rf"^-?{whole_part}{f'(?:{fraction})?' if fraction else ''}$"
    schema["x-whole-digits"] = int(whole)
    schema["x-places"] = int(places)


def _decimal_inputs_take_numbers(node) -> None:
    """A decimal is answered as a string, but DRF also takes a JSON number for it (a phone
    sends its latitude as 31.2): request bodies say both."""
    if isinstance(node, dict):
        for name, value in list(node.items()):
            if isinstance(value, dict) and value.get("format") == "decimal" and "x-whole-digits" in value:
                bound, places = 10 ** value.pop("x-whole-digits"), value.pop("x-places")
                number = {"type": "number", "exclusiveMinimum": True, "minimum": -bound,
                          "exclusiveMaximum": True, "maximum": bound}
                if "x-minimum" in value:
                    number.update(minimum=value.pop("x-minimum"), exclusiveMinimum=False)
                if "x-maximum" in value:
                    number.update(maximum=value.pop("x-maximum"), exclusiveMaximum=False)
                if places:  # no more decimal places than the field keeps
                    number["multipleOf"] = float(f"1e-{places}")
                else:
                    number["type"] = "integer"
                node[name] = {"anyOf": [value, number], **({"nullable": True} if value.get("nullable") else {})}
            else:
                _decimal_inputs_take_numbers(value)
    elif isinstance(node, list):
        for value in node:
            _decimal_inputs_take_numbers(value)


def _drop_marks(node) -> None:
    if isinstance(node, dict):
        node.pop("x-whole-digits", None)
        node.pop("x-places", None)
        node.pop("x-minimum", None)
        node.pop("x-maximum", None)
        for value in node.values():
            _drop_marks(value)
    elif isinstance(node, list):
        for value in node:
            _drop_marks(value)


def _tighten_decimal_patterns(node) -> None:
    if isinstance(node, dict):
        _tighten_decimal_pattern(node)
        for value in node.values():
            _tighten_decimal_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _tighten_decimal_patterns(value)

