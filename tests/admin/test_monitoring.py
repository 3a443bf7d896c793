"""The shipped alerts and dashboard: every rule passes `promtool check rules`
(the real Prometheus tooling, installed by the test setup as for the forecaster's
tests), and every warmstart metric they query is one the code exports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from tests.forecaster.prometheus_server import ensure_installed

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
METRIC = re.compile(r"\bwarmstart_[a-z0-9_]+")
SUFFIXES = ("_total", "_count", "_bucket", "_sum")


def _queries() -> list[str]:
    rule = yaml.safe_load((MONITORING / "prometheusrule.yaml").read_text())
    exprs = [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]]
    dash = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return exprs + [t["expr"] for p in dash["panels"] for t in p["targets"]]


def _exported() -> set[str]:
    names: set[str] = set()
    for package in ("warmstart", "extender", "provisioner", "agent"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(re.findall(r'"(warmstart_[a-z0-9_]+)"', path.read_text()))
    return names


def _base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def test_every_queried_metric_is_exported() -> None:
    exported = _exported()
    queried = {_base(m) for q in _queries() for m in METRIC.findall(q)}
    assert queried, "the queries name warmstart metrics"
    assert queried <= exported, sorted(queried - exported)


def test_rules_pass_promtool(tmp_path: Path) -> None:
    ensure_installed()
    rule = yaml.safe_load((MONITORING / "prometheusrule.yaml").read_text())
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    done = subprocess.run(["promtool", "check", "rules", str(rules_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 5 rules found" in done.stdout
