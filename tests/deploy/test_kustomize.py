"""The kustomize base and overlays are the chart, rendered: no second hand-kept copy."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.render import (
    BASE_VALUES,
    KUSTOMIZE,
    OVERLAY_COMPONENTS,
    REPO,
    expected_files,
    generated_now,
    helm_template,
    overlay_values,
    overlays,
)
from tests.deploy.tools import tool


def test_committed_manifests_are_what_the_chart_renders(helm: Path) -> None:
    expected = expected_files(helm)
    stale = sorted(str(p.relative_to(REPO)) for p, text in expected.items()
                   if not p.is_file() or p.read_text() != text)
    extra = sorted(str(p.relative_to(REPO)) for p in generated_now() - set(expected))
    assert (stale, extra) == ([], []), "run `make manifests` after changing the chart"


def test_an_overlay_per_backend() -> None:
    assert overlays() == ["capacity-buffer", "cluster-autoscaler", "karpenter", "placeholder-pods"]


@pytest.mark.parametrize("overlay", overlays())
def test_an_overlay_is_the_base_plus_its_provisioner(helm: Path, overlay: str) -> None:
    """What an overlay adds is only the provisioner side, and the base is the same
    chart with those values: so `helm install` and `kubectl apply -k` agree."""
    values = overlay_values(overlay)
    full = helm_template(helm, values, "--include-crds")
    base = helm_template(helm, BASE_VALUES, "--include-crds")

    def component(doc: dict[str, Any]) -> str:
        labels = doc["metadata"].get("labels") or {}
        return str(labels.get("app.kubernetes.io/component", ""))

    assert [d for d in full if component(d) not in OVERLAY_COMPONENTS] == base
    kubectl = tool("kubectl")
    built = subprocess.run([str(kubectl), "kustomize", str(KUSTOMIZE / "overlays" / overlay)],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    docs = [d for d in yaml.safe_load_all(built) if d]
    assert len(docs) == len(full) + 1  # and the Namespace
    (settings,) = (d for d in docs if d["kind"] == "ConfigMap"
                   and d["metadata"]["name"] == "warmstart-provisioner")
    backend = yaml.safe_load(settings["data"]["settings.yaml"])["backend"]
    assert backend == values["backend"].replace("placeholder-pods", "placeholder")
