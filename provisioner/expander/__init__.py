"""The cluster-autoscaler gRPC expander: rank scale-up options by startup and price."""

from provisioner.expander.ranking import OptionIn, Ranked, best, rank
from provisioner.expander.server import ExpanderService, TlsFiles, serve

__all__ = ["ExpanderService", "OptionIn", "Ranked", "TlsFiles", "best", "rank", "serve"]
