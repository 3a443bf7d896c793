"""One live simulation (12 hours of the packaged sample, unpaced) shared by the
admin tests, served by the real app over HTTP with static tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.admin.server import serving
from warmstart.admin import AdminSettings, Services, create_app
from warmstart.admin.auth import StaticTokens
from warmstart.admin.frontier import Frontier
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import MemoryPolicyStore, policy_or_default
from warmstart.admin.sim_source import LiveSimulation
from warmstart.cli.admin_sim import advisor_for, band, warmstart_policy
from warmstart.cli.sim_policies import sweep_knobs
from warmstart.sim import default_cluster
from warmstart.traces import SAMPLE, load_trace

ADMIN, READER = "admin-token", "reader-token"
HOURS = 12


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    frame = load_trace(SAMPLE, duration_s=HOURS * 3600)
    cluster = default_cluster()
    store = MemoryPolicyStore()
    frontier = Frontier(frame, cluster, sweep_knobs(cluster))
    sim = LiveSimulation(frame, cluster, advisor_for, band,
                         lambda pool: policy_or_default(store, pool), frontier=frontier)
    tokens = tmp_path_factory.mktemp("auth") / "tokens"
    tokens.write_text(f"{ADMIN},alice,admin\n{READER},bob,reader\n")
    sim.start()
    assert sim.wait(120), "the live simulation did not finish"
    frontier.run()
    yield Services(sim, store, SimulateJobs(cluster, warmstart_policy, store, max_running=1),
                   StaticTokens(Path(tokens)))
    sim.close()


@pytest.fixture(scope="session")
def base_url(live: Services) -> Iterator[str]:
    with serving(create_app(AdminSettings(max_body_bytes=64 * 1024), live)) as url:
        yield url


def client(base_url: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30)


@pytest.fixture
def admin(base_url: str) -> Iterator[httpx.Client]:
    with client(base_url, ADMIN) as c:
        yield c


@pytest.fixture
def reader(base_url: str) -> Iterator[httpx.Client]:
    with client(base_url, READER) as c:
        yield c


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with client(base_url, None) as c:
        yield c
