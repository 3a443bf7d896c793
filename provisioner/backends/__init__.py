"""Backends: one per autoscaler flavour, chosen per cluster in settings."""

from provisioner.backends.base import Backend, Removal, Write
from provisioner.backends.buffer import CapacityBufferBackend
from provisioner.backends.karpenter import KarpenterBackend
from provisioner.backends.placeholder import PlaceholderBackend
from provisioner.backends.provreq import ProvisioningRequestBackend

__all__ = [
    "Backend",
    "CapacityBufferBackend",
    "KarpenterBackend",
    "PlaceholderBackend",
    "ProvisioningRequestBackend",
    "Removal",
    "Write",
]
