"""Deterministic object names and the labels that mark objects as ours.

The same plan always yields the same names, so a restart mid-plan re-issues
create requests that the API server answers with "already exists" instead of
duplicating capacity.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

PREFIX = "ws"
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "warmstart-provisioner"
PURPOSE = "warmstart.io/purpose"
POOL = "warmstart.io/pool"
PLACEHOLDER = "warmstart.io/placeholder"
PREFETCH_MODELS = "warmstart.io/prefetch-models"
PREFETCH_IMAGES = "warmstart.io/prefetch-images"
REASON = "warmstart.io/reason"
PODS = "warmstart.io/pods"  # UIDs a node was asked for: they stay planned onto it
CONSUME_REQUEST = "autoscaling.x-k8s.io/consume-provisioning-request"
ATTEMPT = "warmstart.io/attempt"  # a retry of a failed object: named <name>-r<attempt>

_INVALID = re.compile(r"[^a-z0-9-]+")


def dns_label(text: str, limit: int = 40) -> str:
    """`text` as a DNS-1123 label fragment (lower case, [a-z0-9-], no edge dashes)."""
    return _INVALID.sub("-", text.lower()).strip("-")[:limit].strip("-") or "x"


def digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:10]


def pending_name(pool: str, pod_uids: Iterable[str]) -> str:
    """One new node for this set of pods: named by the pods it is for."""
    return f"{PREFIX}-{dns_label(pool)}-{digest(pod_uids)}"


def headroom_name(pool: str, index: int) -> str:
    return f"{PREFIX}-{dns_label(pool)}-headroom-{index}"


def owner_labels(pool: str, purpose: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGER, POOL: dns_label(pool, 63), PURPOSE: purpose}
