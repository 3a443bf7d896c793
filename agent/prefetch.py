"""Stage a model into the node cache before a pod asks for it.

Resolve the source, make room (disk-space check, then LRU eviction within the
quota, never evicting a protected model), download into a staging directory
(resumable), and only then move the model into place in one rename, with a
manifest naming its URI and digest. A checksum mismatch removes the staging
directory; an interrupted download leaves it, so the next try resumes.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from agent.cache_scan import HF_PREFIX, scan_cache
from agent.download import ChecksumError, DownloadError, Fetched, download
from agent.eviction import apply_eviction, plan_eviction
from agent.manifest import Manifest, ManifestFile, write_manifest
from agent.sources import FetchPlan, HfTarget, PrefetchRequest, resolve

STAGING = ".warmstart-staging"


class InsufficientSpace(DownloadError):
    """Not enough room even after evicting what may be evicted; nothing was fetched."""


@dataclass(frozen=True, slots=True)
class PrefetchResult:
    uri: str
    path: Path
    bytes: int
    fetched_bytes: int
    evicted: tuple[str, ...] = ()
    already_cached: bool = False


def dir_name(uri: str) -> str:
    """A filesystem-safe directory name for a URI (the manifest keeps the URI itself)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", uri).strip("-.")


def _staged_bytes(staging: Path) -> int:
    return sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())


def _make_room(
    plan: FetchPlan,
    cache_dir: Path,
    staging: Path,
    quota: int | None,
    reserve: int,
    protected: frozenset[str],
) -> tuple[str, ...]:
    entries = scan_cache(cache_dir).entries
    incoming = max((plan.bytes or 0) - (_staged_bytes(staging) if staging.exists() else 0), 0)
    free = shutil.disk_usage(cache_dir).free
    eviction = plan_eviction(entries, incoming, free, quota, reserve, protected | {plan.uri})
    if not eviction.fits:
        raise InsufficientSpace(f"{plan.uri}: {eviction.reason}")
    apply_eviction(eviction)
    return tuple(e.entry.uri for e in eviction.evict)


def _install_plain(
    plan: FetchPlan, staging: Path, fetched: list[Fetched], cache_dir: Path, now: datetime
) -> Path:
    files = tuple(
        ManifestFile(path=f.path, bytes=(staging / f.path).stat().st_size, sha256=got.sha256)
        for f, got in zip(plan.files, fetched, strict=True)
    )
    write_manifest(staging, Manifest(uri=plan.uri, files=files, fetched_at=now))
    final = cache_dir / dir_name(plan.uri)
    if final.exists():  # a re-fetch replaces the old copy
        shutil.rmtree(final)
    os.replace(staging, final)
    return final


def _install_hf(
    plan: FetchPlan, hf: HfTarget, staging: Path, fetched: list[Fetched], cache_dir: Path
) -> Path:
    repo = cache_dir / (HF_PREFIX + hf.repo.replace("/", "--"))
    blobs, final = repo / "blobs", repo / "snapshots" / hf.commit
    blobs.mkdir(parents=True, exist_ok=True)
    snapshot = staging / ".snapshot"
    for remote, got in zip(plan.files, fetched, strict=True):
        os.replace(staging / remote.path, blobs / got.sha256)
        link = snapshot / remote.path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blobs / got.sha256, (final / remote.path).parent))
    if final.exists():
        shutil.rmtree(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(snapshot, final)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / hf.ref).write_text(hf.commit)
    shutil.rmtree(staging)
    return final


def prefetch(
    request: PrefetchRequest,
    cache_dir: Path,
    client: httpx.Client,
    now: datetime,
    quota_bytes: int | None = None,
    reserve_bytes: int = 0,
    protected: frozenset[str] = frozenset(),
) -> PrefetchResult:
    cache_dir.mkdir(parents=True, exist_ok=True)
    plan = resolve(request, client)
    for entry in scan_cache(cache_dir).entries:
        if plan.uri in (entry.uri, *entry.aliases):
            return PrefetchResult(plan.uri, entry.root, entry.bytes, 0, already_cached=True)
    staging = cache_dir / STAGING / dir_name(plan.uri)
    evicted = _make_room(plan, cache_dir, staging, quota_bytes, reserve_bytes, protected)
    try:
        fetched = [download(client, f, staging / f.path) for f in plan.files]
    except ChecksumError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    total = sum((staging / f.path).stat().st_size for f in plan.files)
    if plan.hf is not None:
        path = _install_hf(plan, plan.hf, staging, fetched, cache_dir)
    else:
        path = _install_plain(plan, staging, fetched, cache_dir, now)
    return PrefetchResult(plan.uri, path, total, sum(f.fetched_bytes for f in fetched), evicted)
