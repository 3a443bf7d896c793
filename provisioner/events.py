"""Kubernetes Events on the pods a decision concerns, through the kube seam.

An Event failing to write must never stop capacity being created, so errors
here are logged and dropped.
"""

from __future__ import annotations

import logging

from warmstart.kube.errors import KubeError
from warmstart.kube.events import EventRecorder

log = logging.getLogger(__name__)


class PodEvents:
    """The actuator's EventSink, written with the seam's EventRecorder."""

    def __init__(self, recorder: EventRecorder) -> None:
        self.recorder = recorder

    def pod_event(self, pod_ref: str, uid: str, reason: str, message: str,
                  warning: bool = False) -> None:
        namespace, name = pod_ref.split("/", 1)
        involved = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "namespace": namespace, "uid": uid}}
        try:
            self.recorder.record(involved, reason, message, "Warning" if warning else "Normal")
        except KubeError as exc:
            log.warning("event %s on %s not written: %s", reason, pod_ref, exc)
