"""The deploy files agree with the code: CRD fields, DaemonSet arguments, RBAC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.prefetch_resource import PREFETCHES
from agent.sources import PrefetchRequest
from warmstart.cli.main import build_parser

ROOT = Path(__file__).parent.parent.parent
# The agent's manifests as the chart renders them (deploy/kustomize, `make manifests`).
AGENT = "deploy/kustomize/base/agent"


def _docs(path: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((ROOT / path).read_text()))


def test_prefetch_crd_spec_is_the_request_plus_the_node_and_images():
    (crd,) = _docs("deploy/crds/prefetch.yaml")
    version = crd["spec"]["versions"][0]
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]

    assert set(spec) == set(PrefetchRequest.model_fields) | {"nodeName", "images"}
    assert (crd["spec"]["group"], version["name"]) == (PREFETCHES.group, PREFETCHES.version)
    assert crd["spec"]["names"]["plural"] == PREFETCHES.plural and crd["spec"]["scope"] == "Cluster"


def test_daemonset_arguments_parse_and_rbac_covers_what_the_agent_writes():
    docs = {d["kind"]: d for d in _docs(f"{AGENT}/agent.yaml")}
    container = docs["DaemonSet"]["spec"]["template"]["spec"]["containers"][0]
    argv = container["args"] + ["--node-name", "n1"]
    args = build_parser(argv).parse_args(argv)
    granted = {
        (r, v)
        for rule in docs["ClusterRole"]["rules"]
        for r in rule["resources"]
        for v in rule["verbs"]
    }

    assert args.func.__name__ == "_run" and args.quota == "800Gi"
    assert {
        ("nodecaches", "create"),
        ("nodecaches/status", "patch"),
        ("prefetches", "list"),
        ("prefetches/status", "patch"),
        ("pods", "list"),
        ("events", "list"),
    } <= granted


def test_the_own_node_policy_names_the_agents_service_account_and_is_bound():
    account = next(d for d in _docs(f"{AGENT}/agent.yaml") if d["kind"] == "ServiceAccount")
    docs = {d["kind"]: d for d in _docs(f"{AGENT}/own-node-policy.yaml")}
    policy, binding = docs["ValidatingAdmissionPolicy"], docs["ValidatingAdmissionPolicyBinding"]
    user = f"system:serviceaccount:{account['metadata']['namespace']}:{account['metadata']['name']}"

    assert [c["expression"] for c in policy["spec"]["matchConditions"]] == [
        f"request.userInfo.username == '{user}'"]
    assert binding["spec"]["policyName"] == policy["metadata"]["name"]
    assert binding["spec"]["validationActions"] == ["Deny"]
    rules = policy["spec"]["matchConstraints"]["resourceRules"]
    guarded = {r for rule in rules for r in rule["resources"]}
    role = next(d for d in _docs(f"{AGENT}/agent.yaml") if d["kind"] == "ClusterRole")
    writable = {r for rule in role["rules"] if rule["apiGroups"] == ["warmstart.io"]
                and set(rule["verbs"]) - {"get", "list", "watch"} for r in rule["resources"]}
    assert writable == {"nodecaches", "nodecaches/status", "prefetches/status"}
    assert writable <= guarded  # every write RBAC grants is checked against the node
