"""Saved models: a versioned envelope checked before any byte is unpickled.

Layout: a magic line, one JSON header line (schema version, model class,
training window, scikit-learn version, payload digest), then the pickle. A
file that is not ours, from another schema or scikit-learn release, or whose
payload does not match its digest is refused with the reason.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import sklearn

from forecaster.base import QuantileForecaster

MAGIC = b"WARMSTART-FORECASTER\n"
SCHEMA_VERSION = 2
"""2: SeasonalNaive keeps the season it chose (`season_`)."""


class ModelFileError(ValueError):
    """A saved model that cannot be trusted or used; the message says why."""


def header_of(model: QuantileForecaster, payload: bytes) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "model": type(model).__name__,
        "training_window": list(model.training_window_),
        "step_s": model.step_s_,
        "quantiles": list(model.quantiles_),
        "sklearn": sklearn.__version__,
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def save_model(model: QuantileForecaster, path: str | Path) -> None:
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    header = json.dumps(header_of(model, payload)).encode() + b"\n"
    Path(path).write_bytes(MAGIC + header + payload)


def read_header(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """The checked header and the payload it vouches for (not yet unpickled)."""
    try:
        blob = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from exc
    if not blob.startswith(MAGIC):
        raise ModelFileError(f"{path}: not a warmstart forecaster file (bad magic line)")
    line, _, payload = blob[len(MAGIC) :].partition(b"\n")
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise ModelFileError(f"{path}: header is not JSON ({exc})") from exc
    if not isinstance(header, dict) or header.get("schema") != SCHEMA_VERSION:
        found = header.get("schema") if isinstance(header, dict) else None
        raise ModelFileError(f"{path}: schema {found!r}, this version reads {SCHEMA_VERSION}")
    if header.get("sklearn") != sklearn.__version__:
        raise ModelFileError(
            f"{path}: saved with scikit-learn {header.get('sklearn')}, running "
            f"{sklearn.__version__}; refit the model"
        )
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise ModelFileError(f"{path}: payload does not match its sha256 (truncated or altered)")
    return header, payload


def load_model(path: str | Path) -> tuple[QuantileForecaster, dict[str, Any]]:
    """The model and its header (training window, quantiles, ...)."""
    header, payload = read_header(path)
    model = pickle.loads(payload)
    if not isinstance(model, QuantileForecaster):
        raise ModelFileError(f"{path}: holds a {type(model).__name__}, not a forecaster")
    return model, header
