"""Make room in the cache: least recently used models go first, within a quota.

`plan_eviction` is pure: from the scan, the quota and the free space it
returns what to delete and why (or that nothing would make enough room).
`apply_eviction` deletes; for a Hugging Face revision it also drops the blobs
no other revision still links to.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.cache_scan import HF_PREFIX, CacheEntry

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Eviction:
    entry: CacheEntry
    reason: str


@dataclass(frozen=True, slots=True)
class EvictionPlan:
    evict: tuple[Eviction, ...]
    fits: bool
    reason: str


def cache_bytes(entries: Iterable[CacheEntry]) -> int:
    """Bytes on disk, each real file once (revisions share blobs)."""
    files = {path for entry in entries for path in entry.files}
    return sum(path.stat().st_size for path in files if path.exists())


def plan_eviction(
    entries: Iterable[CacheEntry],
    incoming_bytes: int,
    free_bytes: int,
    quota_bytes: int | None = None,
    reserve_bytes: int = 0,
    protected: frozenset[str] = frozenset(),
) -> EvictionPlan:
    """What to delete so `incoming_bytes` fit both the disk (less a reserve) and the quota."""
    entries = list(entries)
    used = cache_bytes(entries)
    over_quota = used + incoming_bytes - quota_bytes if quota_bytes is not None else 0
    short_of_disk = incoming_bytes + reserve_bytes - free_bytes
    need = max(over_quota, short_of_disk, 0)
    if need == 0:
        return EvictionPlan((), True, "fits without eviction")
    if quota_bytes is not None and incoming_bytes > quota_bytes:
        return EvictionPlan((), False, f"{incoming_bytes} bytes exceed the quota {quota_bytes}")
    candidates = sorted(
        (e for e in entries if not protected & {e.uri, *e.aliases}),
        key=lambda e: e.last_used or _NEVER,
    )
    chosen: list[Eviction] = []
    freed = 0
    for entry in candidates:
        if freed >= need:
            break
        used_at = entry.last_used.isoformat() if entry.last_used else "never"
        chosen.append(Eviction(entry, f"least recently used ({used_at}); {need} bytes needed"))
        freed += entry.bytes
    if freed < need:
        return EvictionPlan((), False, f"need {need} bytes, only {freed} are evictable")
    return EvictionPlan(tuple(chosen), True, f"evict {len(chosen)} model(s), {freed} bytes")


def _hf_repo(root: Path) -> Path | None:
    repo = root.parent.parent
    return repo if root.parent.name == "snapshots" and repo.name.startswith(HF_PREFIX) else None


def _prune_hf_repo(repo: Path, gone: str) -> None:
    for ref in (repo / "refs").glob("*"):
        if ref.is_file() and ref.read_text().strip() == gone:
            ref.unlink()
    linked = {p.resolve() for p in (repo / "snapshots").rglob("*") if p.is_symlink()}
    for blob in (repo / "blobs").glob("*"):
        if blob.resolve() not in linked:
            blob.unlink()
    if not any((repo / "snapshots").iterdir()):
        shutil.rmtree(repo)


def apply_eviction(plan: EvictionPlan) -> None:
    for eviction in plan.evict:
        root = eviction.entry.root
        if root.is_dir() and not root.is_symlink():
            shutil.rmtree(root)
        elif root.exists():
            os.unlink(root)
        repo = _hf_repo(root)
        if repo is not None:
            _prune_hf_repo(repo, root.name)
