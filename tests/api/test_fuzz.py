"""The REST API fuzzed from its own OpenAPI schema (schemathesis), as two advisors of the same branch: every
operation, generated requests valid and not, answers without a server error, matches its schema, and never
returns the other advisor's clients."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from panhuo.api.services import api_token_issue

schemathesis = pytest.importorskip("schemathesis")
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 25
CLIENT_CODE = re.compile(r"C[ABCU]\d{3}")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app would close the database connection at each request's end (close_old_connections), which
    in a test closes the test's own transaction; Django's test client unhooks it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.mark.parametrize("who, mine", [("alice", {"CA001", "CA002", "CA003"}), ("bob", {"CB001", "CB002"})])
def test_fuzzed_as_an_advisor_no_server_error_no_other_clients(cast, who, mine):
    from schemathesis.checks import not_a_server_error

    _, key = api_token_issue(user=cast.users[who], name="fuzz")
    headers = {"Authorization": f"Bearer {key}"}
    operations = [r.ok() for r in _schema().get_all_operations()]
    assert len(operations) == 7
    seen: dict[str, set[int]] = {}

    def fuzzer(op):
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def fuzz(case):
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            seen.setdefault(op.label, set()).add(response.status_code)
            assert response.status_code < 500, (op.label, case.path_parameters, case.query, case.body)
            case.validate_response(response, checks=[not_a_server_error])
            leaked = set(CLIENT_CODE.findall(response.text)) - mine
            assert not leaked, (op.label, leaked)
        return fuzz

    for op in operations:
        fuzzer(op)()
    # The fuzzing reached past the authentication: every operation answered at least once with a 2xx or a 4xx
    # other than 401.
    assert all(codes - {401} for codes in seen.values()), seen
