"""warmstart: fast GPU inference starts on Kubernetes after scale-to-zero.

The core library: the domain model, the one startup-time estimate every part
shares, and the scorer built on it. Services (extender, provisioner,
forecaster, agent) depend on this package, never the other way round.
"""

__version__ = "0.1.0"
