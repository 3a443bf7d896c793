"""The extender's settings: one typed object, built once and passed explicitly.

Nothing reads the environment or a global at import time; the CLI builds an
`ExtenderSettings` from flags (or a YAML file) and hands it to `create_app`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warmstart.domain import PoolDefaults

# Labels that name a node's pool on the common autoscalers and clouds, first match wins.
DEFAULT_POOL_LABELS: tuple[str, ...] = (
    "karpenter.sh/nodepool",
    "cloud.google.com/gke-nodepool",
    "eks.amazonaws.com/nodegroup",
    "kubernetes.azure.com/agentpool",
)


class SettingsError(ValueError):
    """A settings file is unreadable or invalid; the message names the field."""


class ExtenderSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    host: str = "0.0.0.0"
    port: int = Field(default=8888, ge=0, le=65535)
    # Well under kube-scheduler's httpTimeout (2 s in deploy/scheduler): past this
    # the handler fails open, so a slow extender never holds the scheduling cycle.
    # A call takes about a millisecond; the first call for a new pod shape on
    # thousands of unlike nodes can take tens.
    budget_s: float = Field(default=0.1, gt=0, alias="budgetSeconds")
    # A NodeCache status older than this is stale: scored with `stale_trust`,
    # and never used to filter a node out. The agent rewrites its status at
    # least every few minutes, so ten minutes of silence means it is not looking.
    stale_after_s: float = Field(default=600.0, gt=0, alias="staleAfterSeconds")
    stale_trust: float = Field(default=0.5, ge=0, le=1, alias="staleTrust")
    # The watch feed hears from the API server at least once per watch request
    # (300 s) and on every bookmark; past this silence the index is in outage
    # and every call is answered fail-open.
    sync_timeout_s: float = Field(default=360.0, gt=0, alias="syncTimeoutSeconds")
    pool_labels: tuple[str, ...] = Field(default=DEFAULT_POOL_LABELS, alias="poolLabels")
    pools: tuple[PoolDefaults, ...] = ()
    # A baseline endpoint that only parses and echoes node names (for benchmarks).
    floor_endpoint: bool = Field(default=False, alias="floorEndpoint")

    def pool(self, name: str | None) -> PoolDefaults | None:
        if name is None:
            return None
        return next((p for p in self.pools if p.name == name), None)


def load_settings(path: Path, **overrides: object) -> ExtenderSettings:
    """Read settings from a YAML file (camelCase or snake_case keys); flags override."""
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    try:
        return ExtenderSettings.model_validate({**raw, **overrides})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise SettingsError(f"{path}: {field}: {err['msg']}") from exc
