"""Find the models in a node's cache directory: what, how big, which digest, last used.

Three layouts are recognised, first match wins for each directory:
  1. a Hugging Face hub cache repo, `models--org--name/snapshots/<rev>/...`
     with files linked into `blobs/` (one entry per revision, URI
     `hf://org/name@<rev>`, aliases `hf://org/name@<ref>` per ref, the
     7-character short commit, and `hf://org/name` for the revision
     `refs/main` names);
  2. a directory a prefetch wrote, with `.warmstart-manifest.json` (URI and
     digest from the manifest);
  3. any other top-level directory or weights file (URI `file://<path>`).
Hidden entries (`.warmstart-staging`, `.locks`) are skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from agent.formats import FormatError, read_weights, weights_format
from agent.manifest import MANIFEST_NAME, ManifestError, content_digest, read_manifest
from warmstart.domain import ModelFormat

HF_PREFIX = "models--"


@dataclass(frozen=True, slots=True)
class CacheEntry:
    uri: str
    root: Path
    """What eviction deletes (an HF revision: its snapshot directory)."""
    files: tuple[Path, ...]
    """The real files holding the bytes (symlinks resolved, each once)."""
    bytes: int
    format: ModelFormat
    digest: str | None
    last_used: datetime | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CacheScan:
    entries: tuple[CacheEntry, ...] = ()
    problems: tuple[str, ...] = field(default=())


def _files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for base, dirs, names in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(base, n) for n in sorted(names) if n != MANIFEST_NAME)
    return found


def _entry(
    uri: str,
    root: Path,
    paths: list[Path],
    digest: str | None,
    problems: list[str],
    aliases: tuple[str, ...] = (),
) -> CacheEntry:
    real = list(dict.fromkeys(p.resolve() for p in paths if p.resolve().is_file()))
    stats = [p.stat() for p in real]  # before reading headers, whatever the atime policy
    sizes: Counter[ModelFormat] = Counter()
    for path in real:
        fmt = weights_format(path)
        if fmt is None:
            continue
        try:
            sizes[read_weights(path).format] += path.stat().st_size
        except FormatError as exc:
            problems.append(str(exc))
    last = max((max(s.st_atime, s.st_mtime) for s in stats), default=None)
    return CacheEntry(
        uri=uri,
        root=root,
        files=tuple(real),
        bytes=sum(s.st_size for s in stats),
        format=sizes.most_common(1)[0][0] if sizes else ModelFormat.UNKNOWN,
        digest=digest,
        last_used=datetime.fromtimestamp(last, UTC) if last is not None else None,
        aliases=aliases,
    )


def _hf_refs(repo: Path) -> dict[str, str]:
    refs = repo / "refs"
    if not refs.is_dir():
        return {}
    return {p.name: p.read_text().strip() for p in refs.iterdir() if p.is_file()}


def _hf_entries(repo: Path, problems: list[str]) -> Iterator[CacheEntry]:
    org_name = repo.name.removeprefix(HF_PREFIX).replace("--", "/")
    refs = _hf_refs(repo)
    snapshots = repo / "snapshots"
    for snap in sorted(snapshots.iterdir()) if snapshots.is_dir() else ():
        paths = _files(snap)
        # LFS blobs are named by their sha256; a small git file by its git hash.
        digest = content_digest(
            (str(p.relative_to(snap)), Path(os.readlink(p)).name if p.is_symlink() else "")
            for p in paths
        )
        named = tuple(f"hf://{org_name}@{ref}" for ref, rev in refs.items() if rev == snap.name)
        main = (f"hf://{org_name}",) if refs.get("main") == snap.name else ()
        # Pods often pin the 7-character short commit the hub shows (`@0e9e39f`).
        short = (f"hf://{org_name}@{snap.name[:7]}",) if len(snap.name) > 7 else ()
        aliases = main + named + short
        yield _entry(f"hf://{org_name}@{snap.name}", snap, paths, digest, problems, aliases)


def _manifest_entry(directory: Path, problems: list[str]) -> CacheEntry | None:
    try:
        manifest = read_manifest(directory)
    except (ManifestError, OSError) as exc:
        problems.append(str(exc))
        return None
    paths = [directory / f.path for f in manifest.files]
    return _entry(manifest.uri, directory, paths, manifest.digest, problems)


def _walk_models(root: Path, problems: list[str]) -> Iterator[CacheEntry]:
    for child in sorted(root.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and child.name.startswith(HF_PREFIX):
            yield from _hf_entries(child, problems)
        elif child.is_dir() and (child / MANIFEST_NAME).is_file():
            entry = _manifest_entry(child, problems)
            if entry is not None:
                yield entry
        elif child.is_dir() and child.name == "hub":  # HF_HOME holds its cache in hub/
            yield from _walk_models(child, problems)
        elif child.is_dir() or weights_format(child) is not None:
            paths = _files(child) if child.is_dir() else [child]
            if paths:
                yield _entry(child.resolve().as_uri(), child, paths, None, problems)


def scan_cache(root: Path) -> CacheScan:
    """Every model under `root`; unreadable pieces become problems, never exceptions."""
    problems: list[str] = []
    if not root.is_dir():
        return CacheScan(problems=(f"cache directory {root} does not exist",))
    try:
        entries = tuple(_walk_models(root, problems))
    except OSError as exc:
        problems.append(f"scanning {root}: {exc}")
        entries = ()
    return CacheScan(entries, tuple(problems))
