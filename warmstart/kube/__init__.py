"""The Kubernetes seam: every read, write and watch of the API server goes through here.

Public surface: `KubeClient` (CRUD, apply, status, watch over `Resource`
descriptors in `resources`), `Informer` (list + watch cache), errors classed
by status, connection settings in `config`, leader election over a Lease
(`LeaderElector`, `LeaderRunner`) and decision Events (`EventRecorder`).
"""

from warmstart.kube.client import KubeClient, ObjectList
from warmstart.kube.config import (
    KubeConfig,
    KubeConfigError,
    auto,
    from_kubeconfig,
    from_url,
    in_cluster,
)
from warmstart.kube.errors import (
    AlreadyExists,
    ApiUnreachable,
    ClientError,
    Conflict,
    Gone,
    KubeError,
    NotFound,
    ServerError,
    TooManyRequests,
)
from warmstart.kube.events import EventRecorder
from warmstart.kube.informer import Handler, Informer, object_key
from warmstart.kube.leader import LeaderRunner
from warmstart.kube.lease import LeaderElector, LeaseDecision
from warmstart.kube.resources import Resource
from warmstart.kube.retry import NO_RETRY, Backoff
from warmstart.kube.watch import WatchEvent

__all__ = [
    "NO_RETRY", "AlreadyExists", "ApiUnreachable", "Backoff", "ClientError", "Conflict",
    "EventRecorder", "Gone", "Handler", "Informer", "KubeClient", "KubeConfig", "KubeConfigError",
    "KubeError",
    "LeaderElector", "LeaderRunner", "LeaseDecision", "NotFound", "ObjectList", "Resource",
    "ServerError", "TooManyRequests", "WatchEvent", "auto", "from_kubeconfig", "from_url",
    "in_cluster", "object_key",
]
