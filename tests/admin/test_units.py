"""The admin API's pure parts: policy validation and overrides, the token file,
the decisions journal's encoding and bound, folding of repeated decisions, and
how the provisioner merges pool policies."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from provisioner.settings import ProvisionerSettings
from provisioner.warmth_step import PoolPolicy
from warmstart.admin.auth import AuthError, StaticTokens, parse_tokens
from warmstart.admin.decision_journal import MAX_BYTES, decode, encode
from warmstart.admin.decisions import DecisionBuffer, DecisionQuery, page
from warmstart.admin.policy import ScheduledOverride, StoredPolicy, WarmthPolicySpec
from warmstart.admin.schemas import DecisionOut
from warmstart.cli.provisioner_admin import pool_of, with_policies
from warmstart.cli.provisioner_warmth import pool_policy

BERLIN = dt.timezone(dt.timedelta(hours=1))  # CET, as Europe/Berlin in winter


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN).timestamp()


def test_override_active_on_its_days_and_hours_in_its_time_zone() -> None:
    o = ScheduledOverride(model="llama-70b", days=("Mon", "Tue", "Wed", "Thu", "Fri"),
                          start="08:00", end="18:00", timezone="Europe/Berlin")
    assert o.active(_at(2026, 12, 7, 8, 0))        # Monday 08:00 Berlin
    assert not o.active(_at(2026, 12, 7, 7, 59))
    assert not o.active(_at(2026, 12, 7, 18, 0))   # the end is exclusive
    assert not o.active(_at(2026, 12, 6, 12, 0))   # Sunday


def test_an_empty_policy_plans_as_a_pool_without_one() -> None:
    # what GET shows for a pool without a policy is what the planner applies to it
    assert pool_policy("gpu", WarmthPolicySpec(), 0.0) == PoolPolicy()


def test_policy_errors_name_their_field() -> None:
    with pytest.raises(ValidationError) as err:
        WarmthPolicySpec.model_validate({"minWarmNodes": 2, "maxWarmNodes": 1})
    assert err.value.errors()[0]["loc"] == ("maxWarmNodes",)
    with pytest.raises(ValidationError) as err:
        WarmthPolicySpec.model_validate({"overrides": [{"model": "m", "start": "8:00",
                                                        "end": "18:00"}]})
    assert err.value.errors()[0]["loc"] == ("overrides", 0, "start")


def test_token_file_lines_and_reload(tmp_path: Path) -> None:
    assert parse_tokens("# ops\nabc,alice,admin\n\nxyz,bob,reader # ro\n", "f") == {
        "abc": ("alice", "admin"), "xyz": ("bob", "reader")}
    with pytest.raises(AuthError, match="f:2"):
        parse_tokens("abc,alice,admin\nxyz,bob,root\n", "f")
    path = tmp_path / "tokens"
    path.write_text("one,alice,reader\n")
    tokens = StaticTokens(path)
    alice = tokens.authenticate("one")
    assert alice is not None and not tokens.allowed(alice, "put", "/v1/policies/a")
    assert tokens.allowed(alice, "get", "/v1/nodes")
    path.write_text("two,carol,admin\n")
    os.utime(path, (1, 1))  # a different mtime, as a Secret update gives
    carol = tokens.authenticate("two")
    assert carol is not None and tokens.allowed(carol, "put", "/v1/policies/a")
    assert tokens.authenticate("one") is None


def _decision(at: float, kind: str = "capped", reason: str = "maxGpus 0") -> DecisionOut:
    return DecisionOut(at=at, source="provisioner", kind=kind, subject="ws-a-1",
                       reason=reason, pool="a")


def test_journal_keeps_the_newest_within_its_bounds_and_skips_damaged_lines() -> None:
    items = [_decision(float(i), reason="r" * 2000 + str(i)) for i in range(400)]
    text = encode(items, keep=300)
    kept = decode(text + "\n{not json\n")
    assert len(text) <= MAX_BYTES
    assert kept and kept[-1].at == 399.0
    assert [d.at for d in kept] == sorted(d.at for d in kept)
    assert len(decode(encode(items[:10], keep=5))) == 5


def test_repeats_fold_to_one_per_period_and_queries_filter() -> None:
    buffer = DecisionBuffer(capacity=100, repeat_s=300)
    for t in range(0, 900, 10):  # the same cap every 10 s for 15 minutes
        buffer.add(_decision(float(t)))
    buffer.add(_decision(5.0, kind="create", reason="new node"))
    assert [d.at for d in buffer.items() if d.kind == "capped"] == [0.0, 300.0, 600.0]
    found = page(buffer.items(), DecisionQuery(kind="capped", since=100, limit=1))
    assert found.total == 2 and [d.at for d in found.items] == [600.0]


def test_the_provisioner_takes_each_pools_budget_cap_and_shadow_flag() -> None:
    base = ProvisionerSettings.model_validate({"policy": {"maxGpus": 100,
                                                          "pools": {"b": {"maxGpus": 3}}}})
    merged = with_policies(base, [StoredPolicy(pool="a", spec=WarmthPolicySpec(
        max_gpus=16, budget_dollars_per_hour=50, shadow=True))])
    assert merged.policy.shadow_pools() == {"a"}
    assert merged.policy.limits("a").max_gpus == 16
    assert merged.policy.limits("a").max_dollars_per_hour == 50
    assert merged.policy.limits("b").max_gpus == 3 and merged.policy.max_gpus == 100
    assert pool_of("ws-gpu-a100-headroom-0", ["gpu", "gpu-a100"]) == "gpu-a100"
    assert pool_of("something-else", ["gpu"]) == ""
