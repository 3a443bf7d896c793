"""Where the API server is and how to authenticate, from any of the usual sources.

In a pod: the service account (`in_cluster`). On a workstation: a kubeconfig
(`from_kubeconfig`). In tests: a plain http URL (`from_url`). The `kubernetes`
package's loaders do the parsing; this module turns their result into what
httpx needs, and re-reads rotating tokens through the loaders' refresh hook.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

TokenSource = Callable[[], str | None]


def _no_token() -> str | None:
    return None


class KubeConfigError(ValueError):
    """No usable connection settings; the message says where we looked and why."""


@dataclass(frozen=True)
class KubeConfig:
    """Connection settings: base URL, TLS context (None for plain http), auth header."""

    base_url: str
    ssl_context: ssl.SSLContext | None = None
    authorization: TokenSource = field(default=_no_token)  # full header value, e.g. "Bearer x"

    def headers(self) -> dict[str, str]:
        value = self.authorization()
        return {"Authorization": value} if value else {}


def from_url(base_url: str, token: str | None = None) -> KubeConfig:
    """An explicit server, e.g. a test mock at http://127.0.0.1:PORT."""
    header = f"Bearer {token}" if token else None
    return KubeConfig(base_url=base_url.rstrip("/"), authorization=lambda: header)


def _from_loaded(cfg: k8s_client.Configuration) -> KubeConfig:
    context: ssl.SSLContext | None = None
    if str(cfg.host).startswith("https"):
        context = ssl.create_default_context(cafile=cfg.ssl_ca_cert or None)
        if not cfg.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cfg.cert_file:
            context.load_cert_chain(cfg.cert_file, cfg.key_file)

    def authorization() -> str | None:
        # auth_settings() runs the loader's refresh hook, so rotated tokens are picked up.
        setting = cfg.auth_settings().get("BearerToken")
        return str(setting["value"]) if setting and setting.get("value") else None

    return KubeConfig(base_url=str(cfg.host).rstrip("/"), ssl_context=context,
                      authorization=authorization)


def in_cluster() -> KubeConfig:
    """The pod's service account (token and CA under /var/run/secrets/kubernetes.io)."""
    cfg = k8s_client.Configuration()
    try:
        k8s_config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    except k8s_config.ConfigException as exc:
        raise KubeConfigError(f"in-cluster service account: {exc}") from exc
    return _from_loaded(cfg)


def from_kubeconfig(path: str | None = None, context: str | None = None) -> KubeConfig:
    """A kubeconfig file (default: $KUBECONFIG or ~/.kube/config) and context."""
    cfg = k8s_client.Configuration()
    # The loader reads $KUBECONFIG once, at import; read it now so a changed value counts.
    path = path or os.environ.get("KUBECONFIG") or None
    where = f"kubeconfig {path}" if path else "kubeconfig ~/.kube/config (KUBECONFIG unset)"
    try:
        k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=path, context=context, client_configuration=cfg, persist_config=False
        )
    except (k8s_config.ConfigException, yaml.YAMLError) as exc:
        raise KubeConfigError(f"{where}: {' '.join(str(exc).split())}") from exc
    return _from_loaded(cfg)


def auto(url: str | None = None) -> KubeConfig:
    """An explicit URL if given, else in-cluster when running in a pod, else kubeconfig."""
    if url:
        return from_url(url)
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return in_cluster()
    return from_kubeconfig()
