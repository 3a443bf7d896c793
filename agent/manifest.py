"""The manifest a prefetch leaves beside a model, and the digest of a file list.

`.warmstart-manifest.json` says where the model came from (its URI, matched
against the pods' `warmstart.io/model`) and the sha256 of every file. The
model's digest is the sha256 of its sorted `path hash` lines, so the same
files fetched twice, or found in a Hugging Face cache, get the same digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MANIFEST_NAME = ".warmstart-manifest.json"


class ManifestError(ValueError):
    """A manifest that does not parse; the message names the file and the field."""


class ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(min_length=1, description="relative to the model directory")
    bytes: int = Field(ge=0)
    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    uri: str = Field(min_length=1)
    files: tuple[ManifestFile, ...]
    fetched_at: datetime = Field(alias="fetchedAt")

    @property
    def digest(self) -> str | None:
        if any(f.sha256 is None for f in self.files):
            return None
        return content_digest((f.path, f.sha256 or "") for f in self.files)


def content_digest(entries: Iterable[tuple[str, str]]) -> str:
    """sha256 over sorted `path hash` lines: one name for one set of file contents."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(entries))
    return "sha256:" + hashlib.sha256(lines.encode()).hexdigest()


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST_NAME
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ManifestError(f"{path}: {fields}") from exc


def write_manifest(directory: Path, manifest: Manifest) -> None:
    data = manifest.model_dump(by_alias=True, mode="json")
    (directory / MANIFEST_NAME).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
