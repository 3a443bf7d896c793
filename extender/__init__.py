"""The warmstart scheduler extender: kube-scheduler asks, per GPU pod, which
nodes can run it (filter) and which would start it soonest (prioritize); this
package answers from an in-memory index of NodeCache, Node and Model objects.

`create_app` (FastAPI, a second of imports) is loaded on first use, so that
`extender serve` can start listing the API server before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extender.index import NodeIndex
from extender.settings import ExtenderSettings, SettingsError, load_settings

if TYPE_CHECKING:
    from extender.app import create_app

__all__ = ["ExtenderSettings", "NodeIndex", "SettingsError", "create_app", "load_settings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from extender.app import create_app

        return create_app
    raise AttributeError(f"module 'extender' has no attribute {name!r}")
