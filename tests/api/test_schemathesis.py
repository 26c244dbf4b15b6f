"""Schemathesis (v4) against the application itself, through WSGI, no network.

Every operation of ``/api/v1/openapi.json`` is called with generated requests (valid
ones, valid ones on the seeded objects, and invalid ones) and every answer must pass all
of schemathesis's checks: no server error, a documented status code and content type,
the documented headers, a body matching its schema, invalid input rejected.

``schemathesis.pytest.from_fixture`` would be the usual way in, but schemathesis 4.32
renames the pytest node through ``Node._nodeid``, which pytest 9 no longer has; so each
operation's strategy runs under Hypothesis's ``@given`` here instead.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from consultation.api import openapi

# Schemathesis leaves out the operation that serves the document itself.
API_OPERATIONS = sorted(p for p in openapi.document()["paths"] if not p.endswith("openapi.json"))
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,  # the seeded ids change nothing between runs: no examples to replay
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def operations(app, world):
    """The API's own document, loaded from the application holding the seeded world."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def seeded_ids(world) -> dict:
    return {
        "referral_id": world.public_referral,
        "manifesto_id": world.manifesto,
        "draw_id": world.draw,
    }


def exercise(operation, mode, path_parameters) -> list[int]:
    """Run one operation's generated cases through every check; the statuses seen."""
    statuses = []

    @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
    @SETTINGS
    def run(case):
        response = case.call_and_validate()
        statuses.append(response.status_code)

    run()
    return statuses


@pytest.mark.parametrize(
    "mode, on_seeded_objects",
    [
        (GenerationMode.POSITIVE, False),
        (GenerationMode.POSITIVE, True),
        (GenerationMode.NEGATIVE, False),
    ],
    ids=["valid", "valid-on-seeded-objects", "invalid"],
)
def test_generated_requests_get_documented_answers(operations, world, mode, on_seeded_objects):
    tried = []
    for result in operations.get_all_operations():
        operation = result.ok()
        names = [parameter.name for parameter in operation.path_parameters]
        fixed = {name: seeded_ids(world)[name] for name in names} if on_seeded_objects else None
        statuses = exercise(operation, mode, fixed)
        assert statuses, f"no request made for {operation.label}"
        if on_seeded_objects:
            assert 200 in statuses, f"{operation.label} never served the seeded objects"
        tried.append(operation.label)
    assert len(tried) == len(API_OPERATIONS)


def test_every_operation_on_the_seeded_data_gets_a_documented_answer(operations, world):
    """One plain call per operation on the seeded objects, with no parameter generated."""
    called = []
    for result in operations.get_all_operations():
        operation = result.ok()
        names = [parameter.name for parameter in operation.path_parameters]
        case = operation.Case(path_parameters={name: seeded_ids(world)[name] for name in names})
        response = case.call_and_validate()
        assert response.status_code == 200, operation.label
        called.append(operation.label)
    assert len(called) == len(API_OPERATIONS) == 10
