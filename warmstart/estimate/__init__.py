"""The one startup-time estimate every part of warmstart shares."""

from warmstart.estimate.defaults import GLOBAL_DEFAULTS, GlobalDefaults
from warmstart.estimate.startup import NodeView, StartupEstimate, estimate_startup

__all__ = ["GLOBAL_DEFAULTS", "GlobalDefaults", "NodeView", "StartupEstimate", "estimate_startup"]
