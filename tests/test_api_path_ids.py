"""A path id that is not a number is a 404 on every operation of the API, never a 500.

schemathesis found `/api/pair-tasks/null,null/reopen/` answering 500: a viewset without
``lookup_value_regex`` hands any text to ``get_object_or_404``. Walked from the OpenAPI schema,
so a new viewset is checked the day it is added."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from ledger.tests.api_support import client_for

pytestmark = pytest.mark.django_db


def _operations_with_a_path_id():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "{id}" in path:
            for method in operations:
                if method in ("get", "post", "put", "patch", "delete"):
                    yield method, path


def test_a_path_id_that_is_not_a_number_is_a_404_everywhere(city):
    client = client_for(city.hq)
    operations = list(_operations_with_a_path_id())
    assert len(operations) > 50  # the walk found the API
    wrong = []
    for method, path in operations:
        for odd in ("null,null", "abc", "1.5"):
            response = getattr(client, method)(path.replace("{id}", odd).replace("{item_id}", "1"))
            if response.status_code != 404:
                wrong.append((method, path, odd, response.status_code))
    assert not wrong, wrong
