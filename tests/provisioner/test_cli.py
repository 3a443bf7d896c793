"""`warmstart provisioner plan` against the fake API server, with the shipped settings."""

from __future__ import annotations

import json
from pathlib import Path

from provisioner.settings import load_settings
from warmstart.cli.main import main

from .builders import pod_json
from .conftest import Harness

# The settings ConfigMap as the chart renders it for the Karpenter overlay.
SHIPPED = (Path(__file__).resolve().parents[2] / "deploy" / "kustomize" / "overlays" / "karpenter"
           / "provisioner" / "settings.yaml")


def test_the_shipped_settings_load():
    settings = load_settings(SHIPPED)
    assert [t.name for t in settings.node_templates()] == ["p4d.24xlarge", "g6e.12xlarge"]


def test_plan_prints_the_plan_and_writes_nothing(harness: Harness, capsys):
    harness.seed_pods(pod_json("llm-0", 1, tolerations=[
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]))
    code = main(["provisioner", "plan", "--settings", str(SHIPPED), "--api-url",
                 harness.mock.url])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    [create] = out["creates"]
    assert (create["template"], create["pods"]) == ("g6e.12xlarge", ["serving/llm-0"])
    assert create["stages"]["node"] == 80.0
    assert harness.posts() == []


def test_a_bad_settings_file_names_the_field(tmp_path: Path, capsys):
    bad = tmp_path / "settings.yaml"
    bad.write_text("backend: karpenter\npolicy: {maxGpus: -1}\n")
    assert main(["provisioner", "plan", "--settings", str(bad), "--api-url",
                 "http://127.0.0.1:9"]) == 2
    assert "policy.maxGpus" in capsys.readouterr().err
