"""Connection settings from a kubeconfig, an explicit URL, and the auto choice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.kubemock import KubeMock
from warmstart.kube import KubeClient, auto, from_kubeconfig, from_url
from warmstart.kube.resources import NODES


def _kubeconfig(tmp_path: Path, server: str, token: str) -> Path:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "mock", "cluster": {"server": server}}],
        "users": [{"name": "bot", "user": {"token": token}}],
        "contexts": [{"name": "test", "context": {"cluster": "mock", "user": "bot"}}],
    }))
    return path


def test_kubeconfig_gives_server_and_token(tmp_path: Path, kube: KubeMock) -> None:
    config = from_kubeconfig(str(_kubeconfig(tmp_path, kube.url, "t0ken")))
    assert config.base_url == kube.url and config.ssl_context is None
    client = KubeClient(config)
    client.list(NODES)
    client.close()
    assert kube.requests[-1].headers["Authorization"] == "Bearer t0ken"


def test_auto_prefers_an_explicit_url_then_kubeconfig(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert auto("http://127.0.0.1:1/").base_url == "http://127.0.0.1:1"
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, "http://127.0.0.1:2", "x")))
    assert auto().base_url == "http://127.0.0.1:2"


def test_plain_url_sends_no_authorization_unless_given() -> None:
    assert from_url("http://127.0.0.1:3").headers() == {}
    assert from_url("http://127.0.0.1:3", token="t").headers() == {"Authorization": "Bearer t"}
