"""The deploy files agree with the code: CRD fields, DaemonSet arguments, RBAC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.prefetch_resource import PREFETCHES
from agent.sources import PrefetchRequest
from warmstart.cli.main import build_parser

ROOT = Path(__file__).parent.parent.parent


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
    docs = {d["kind"]: d for d in _docs("deploy/agent/agent.yaml")}
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
