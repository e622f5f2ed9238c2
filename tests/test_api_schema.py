"""The JSON answers keep to their own OpenAPI description (/api/schema/): schemathesis
generates requests from it, valid and not, and checks every answer against it.

It runs once, on SQLite: the answers do not depend on the database, and CI runs the suite on
both, so running it on PostgreSQL too would only double its time.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES_PER_OPERATION = 12


def test_the_api_keeps_to_its_description(mask):
    if connection.vendor != "sqlite":
        pytest.skip("the API description is tested once, on SQLite")
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def keeps_to_it(case):
            # The WSGI client would hand the checks gzip-compressed bodies. A made-up cursor
            # or genre slug fits the description (a string) and is still refused with a 400,
            # as the description says: only the site makes cursors, only the data has genres.
            case.call_and_validate(
                headers={"Accept-Encoding": "identity"},
                excluded_checks=[positive_data_acceptance],
            )

        keeps_to_it()
