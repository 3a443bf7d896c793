"""Fetch one file over HTTP(S) into place: resumable, verified, atomic.

Bytes go to `<dest>.part`; a dropped connection resumes with a Range request
from what is already there (also across agent restarts); the whole file is
checked against its size and sha256 before `os.replace` puts it in place. A
checksum mismatch deletes the part file, so nothing half-written stays behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

log = logging.getLogger(__name__)
_CHUNK = 1024 * 1024


class DownloadError(RuntimeError):
    """The file could not be fetched; a part file may remain for a later resume."""


class ChecksumError(DownloadError):
    """The bytes are not the expected ones; nothing was kept."""


@dataclass(frozen=True, slots=True)
class RemoteFile:
    url: str
    path: str
    """Where it goes, relative to the model directory."""
    sha256: str | None = None
    bytes: int | None = None
    auth: httpx.Auth | None = None
    """Signs each request (resumes included), e.g. AWS Signature V4 for S3."""


@dataclass(frozen=True, slots=True)
class Fetched:
    fetched_bytes: int
    """Bytes that crossed the network in this call (less than the size after a resume)."""
    sha256: str


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _hash_existing(part: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with part.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest


def _fetch_into(
    client: httpx.Client, remote: RemoteFile, part: Path, digest: hashlib._Hash
) -> hashlib._Hash:
    """Append the rest of the file to `part` (from scratch if the server ignores Range),
    feeding `digest`; returns the digest of the whole part."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", remote.url, headers=headers, auth=remote.auth) as response:
        if response.status_code == 416 and have:
            return digest  # nothing left to fetch: the part is whole
        if response.status_code not in (200, 206):
            raise DownloadError(f"GET {remote.url}: HTTP {response.status_code}")
        mode = "ab" if response.status_code == 206 else "wb"
        if mode == "wb" and have:
            log.info("%s ignored the Range request; fetching from the start", remote.url)
            digest = hashlib.sha256()
        with part.open(mode) as f:
            for chunk in response.iter_bytes():  # as it arrives, so a drop loses nothing
                f.write(chunk)
                digest.update(chunk)
            f.flush()
            os.fsync(f.fileno())
    return digest


def _verify(remote: RemoteFile, part: Path, digest: hashlib._Hash) -> None:
    size = part.stat().st_size
    if remote.bytes is not None and size != remote.bytes:
        fault = f"{remote.path}: got {size} bytes, expected {remote.bytes}"
    elif remote.sha256 is not None and digest.hexdigest() != remote.sha256:
        fault = f"{remote.path}: sha256 {digest.hexdigest()}, expected {remote.sha256}"
    else:
        return
    part.unlink()
    raise ChecksumError(fault)


def download(client: httpx.Client, remote: RemoteFile, dest: Path, attempts: int = 5) -> Fetched:
    """Fetch `remote` to `dest`, resuming a part file left by an earlier try."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    start = part.stat().st_size if part.exists() else 0
    digest = _hash_existing(part) if start else hashlib.sha256()
    for attempt in range(1, attempts + 1):
        try:
            digest = _fetch_into(client, remote, part, digest)
            break
        except httpx.TransportError as exc:
            got = part.stat().st_size if part.exists() else 0
            log.warning(
                "%s: %s at %d bytes (attempt %d of %d)", remote.url, exc, got, attempt, attempts
            )
            if attempt == attempts:
                raise DownloadError(f"GET {remote.url}: {exc} after {attempts} attempts") from exc
            digest = _hash_existing(part) if got else hashlib.sha256()
    _verify(remote, part, digest)
    fetched = part.stat().st_size - start
    os.replace(part, dest)
    return Fetched(fetched, digest.hexdigest())
