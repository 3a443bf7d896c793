"""Schema-driven fuzzing of the admin API's OpenAPI document (schemathesis):
whatever the generated paths, queries and bodies, no answer is a 5xx.

A separate app over the same simulation: its own policy store, and simulation
jobs limited to none running, so fuzzed what-ifs are validated but not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.admin.conftest import ADMIN
from tests.admin.server import serving
from warmstart.admin import AdminSettings, Services, create_app
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import MemoryPolicyStore
from warmstart.cli.admin_sim import warmstart_policy
from warmstart.sim import default_cluster


@pytest.fixture(scope="module")
def fuzz_url(live: Services) -> Iterator[str]:
    store = MemoryPolicyStore()
    jobs = SimulateJobs(default_cluster(), warmstart_policy, store, max_running=0)
    svc = Services(live.source, store, jobs, live.auth)
    with serving(create_app(AdminSettings(max_body_bytes=64 * 1024), svc)) as url:
        yield url


def test_no_input_gets_a_server_error(fuzz_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_url}/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for operation in operations:
        check_operation(operation, fuzz_url)
    metrics = httpx.get(f"{fuzz_url}/metrics").text
    sent = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("warmstart_admin_requests_total{"))
    assert sent >= 10 * len(operations)  # the fuzzer really sent its cases


def check_operation(operation: Any, url: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def no_server_error(case: Any) -> None:
        response = case.call(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"})
        assert response.status_code < 500, (case.method, case.formatted_path,
                                            response.text[:500])

    no_server_error()
