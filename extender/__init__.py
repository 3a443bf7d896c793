"""The warmstart scheduler extender: kube-scheduler asks, per GPU pod, which
nodes can run it (filter) and which would start it soonest (prioritize); this
package answers from an in-memory index of NodeCache, Node and Model objects.
"""

from extender.app import create_app
from extender.index import NodeIndex
from extender.settings import ExtenderSettings, SettingsError, load_settings

__all__ = ["ExtenderSettings", "NodeIndex", "SettingsError", "create_app", "load_settings"]
