"""The node's container runtime through the Kubernetes CRI: pre-pull the images a
Prefetch names, list what the runtime holds, and read its image filesystem's use."""

from agent.cri.client import CriError, CriImages, ImageFs, RuntimeImage

__all__ = ["CriError", "CriImages", "ImageFs", "RuntimeImage"]
