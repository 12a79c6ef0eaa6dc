"""Schemathesis against the plugin's own OpenAPI document, in process.

Bounded examples per operation: no response may be a 5xx, and every response
must match what the document says (status, content type, body schema). The
operations are driven with hypothesis directly, which keeps this independent
of schemathesis's pytest plugin.
"""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

MAX_EXAMPLES = 25
#: OpenAPI cannot say "injury_date not after assessment_date", so answers the
#: document allows may still get a 422 naming the field; every other check runs.
#: ignored_auth: the host's authorize hook decides who may call; this test host lets
#: everyone in, so a request without a credential is rightly served.
EXCLUDED = [positive_data_acceptance, ignored_auth]


def test_every_operation_keeps_its_documented_promises(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/ankle/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(excluded_checks=EXCLUDED)

        check()


def test_the_review_operations_keep_their_promises_on_a_real_record(make_app, valid) -> None:
    """The same checks with every id pointing at a stored intake, signed by a named user."""
    host = make_app(ANKLE_INTAKE_CURRENT_USER=lambda: {"id": "u-1", "name": "Ana Silva"})
    record_id = host.test_client().post("/ankle/api/assessments", json=valid).get_json()["id"]
    schema = schemathesis.openapi.from_wsgi("/ankle/api/openapi.json", host)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if "{assessment_id}" in op.path]
    assert len(operations) >= 6
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.path_parameters = {**(case.path_parameters or {}), "assessment_id": record_id}
            case.call_and_validate(excluded_checks=EXCLUDED)

        check()
