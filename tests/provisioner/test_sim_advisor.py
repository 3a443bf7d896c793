"""The simulator's `warmstart` policy runs the real forecaster and warmth planner."""

from __future__ import annotations

from warmstart.cli.sim_policies import make_policy
from warmstart.sim.config import default_cluster
from warmstart.sim.run import simulate
from warmstart.traces import load_trace


def test_simulate_uses_the_advisor_on_the_sample_trace() -> None:
    cluster = default_cluster()
    frame = load_trace("sample", duration_s=6 * 3600)
    result = simulate(frame, cluster, [make_policy("warmstart", cluster)])
    assert result.outcomes[0].policy.mode == "placement + capacity advisor"
    assert result.outcomes[0].metrics.gpu_seconds > 0
