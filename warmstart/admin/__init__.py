"""The REST admin API and dashboard: what warmstart holds, why it acted, and
its policies, over a cluster or a live simulation."""

from warmstart.admin.app import AdminSettings, create_app
from warmstart.admin.deps import Services

__all__ = ["AdminSettings", "Services", "create_app"]
