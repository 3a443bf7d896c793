"""Where a prefetch gets its files: an HTTP(S) URL, an S3-compatible bucket, or a
Hugging Face-style hub, each resolved to a list of files to download.

  https://host/path/model.gguf      one file (sha256/bytes from the request)
  s3://bucket/key or s3://bucket/prefix/   one object, or every object under the
                                    prefix (ListObjectsV2), path-style on `endpoint`,
                                    signed when AWS credentials are set (`agent.s3_auth`)
  hf://org/name[@rev]               the revision's files from `{endpoint}/api/models/...`,
                                    LFS files checked against their sha256
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from agent.download import DownloadError, RemoteFile
from agent.s3_auth import s3_auth

HF_DEFAULT_ENDPOINT = "https://huggingface.co"
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class PrefetchRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uri: str = Field(min_length=1, description="http(s)://, s3:// or hf:// URI of the model")
    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$", description="single file")
    bytes: int | None = Field(default=None, ge=0)
    endpoint: str | None = Field(default=None, description="S3 endpoint, or the hub for hf://")
    region: str | None = Field(default=None, description="S3 signing region (default us-east-1)")


@dataclass(frozen=True, slots=True)
class HfTarget:
    repo: str
    commit: str
    ref: str


@dataclass(frozen=True, slots=True)
class FetchPlan:
    uri: str
    files: tuple[RemoteFile, ...]
    hf: HfTarget | None = None

    @property
    def bytes(self) -> int | None:
        sizes = [f.bytes for f in self.files]
        return None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)


class SourceError(ValueError):
    """The URI names no source we can fetch from; the message says which part."""


def _size(
    client: httpx.Client, url: str, given: int | None, auth: httpx.Auth | None = None
) -> int | None:
    """The size the request gave, else the server's Content-Length (for the space check)."""
    if given is not None:
        return given
    response = client.head(url, follow_redirects=True, auth=auth or httpx.USE_CLIENT_DEFAULT)
    length = response.headers.get("Content-Length")
    return int(length) if response.status_code == 200 and length and length.isdigit() else None


def _http(request: PrefetchRequest, client: httpx.Client) -> FetchPlan:
    name = posixpath.basename(urlsplit(request.uri).path)
    if not name:
        raise SourceError(f"uri {request.uri!r}: an HTTP source must name a file")
    size = _size(client, request.uri, request.bytes)
    return FetchPlan(request.uri, (RemoteFile(request.uri, name, request.sha256, size),))


def _s3_list(
    client: httpx.Client, base: str, prefix: str, auth: httpx.Auth | None
) -> list[tuple[str, int]]:
    objects: list[tuple[str, int]] = []
    token: str | None = None
    while True:
        params = {"list-type": "2", "prefix": prefix} | (
            {"continuation-token": token} if token else {}
        )
        response = client.get(base, params=params, auth=auth)
        if response.status_code != 200:
            raise DownloadError(f"listing {base} prefix {prefix!r}: HTTP {response.status_code}")
        root = ET.fromstring(response.content)
        for item in root.iter(f"{_S3_NS}Contents"):
            objects.append(
                (item.findtext(f"{_S3_NS}Key", ""), int(item.findtext(f"{_S3_NS}Size", "0")))
            )
        token = root.findtext(f"{_S3_NS}NextContinuationToken")
        if root.findtext(f"{_S3_NS}IsTruncated") != "true" or not token:
            return objects


def _s3(request: PrefetchRequest, client: httpx.Client) -> FetchPlan:
    if not request.endpoint:
        raise SourceError(f"uri {request.uri!r}: an s3:// source needs `endpoint`")
    parts = urlsplit(request.uri)
    bucket, key = parts.netloc, parts.path.lstrip("/")
    base = f"{request.endpoint.rstrip('/')}/{bucket}"
    auth = s3_auth(request.region)
    if key and not key.endswith("/"):
        url = f"{base}/{quote(key)}"
        size = _size(client, url, request.bytes, auth)
        one = RemoteFile(url, posixpath.basename(key), request.sha256, size, auth)
        return FetchPlan(request.uri, (one,))
    listed = [(k, n) for k, n in _s3_list(client, base, key, auth) if not k.endswith("/")]
    if not listed:
        raise SourceError(f"uri {request.uri!r}: no objects under that prefix")
    files = tuple(RemoteFile(f"{base}/{quote(k)}", k[len(key) :], None, n, auth) for k, n in listed)
    return FetchPlan(request.uri, files)


def _hf(request: PrefetchRequest, client: httpx.Client) -> FetchPlan:
    repo, _, ref = request.uri.removeprefix("hf://").partition("@")
    ref = ref or "main"
    if repo.count("/") != 1:
        raise SourceError(f"uri {request.uri!r}: expected hf://org/name[@revision]")
    endpoint = (request.endpoint or HF_DEFAULT_ENDPOINT).rstrip("/")
    response = client.get(
        f"{endpoint}/api/models/{repo}/revision/{quote(ref)}", params={"blobs": "true"}
    )
    if response.status_code != 200:
        raise DownloadError(f"{request.uri}: hub answered HTTP {response.status_code}")
    info: dict[str, Any] = response.json()
    commit = str(info["sha"])
    files = tuple(
        RemoteFile(
            f"{endpoint}/{repo}/resolve/{commit}/{quote(s['rfilename'])}",
            s["rfilename"],
            (s.get("lfs") or {}).get("sha256"),
            s.get("size"),
        )
        for s in info.get("siblings", ())
    )
    return FetchPlan(request.uri, files, HfTarget(repo, commit, ref))


def resolve(request: PrefetchRequest, client: httpx.Client) -> FetchPlan:
    scheme = urlsplit(request.uri).scheme
    if scheme in ("http", "https"):
        return _http(request, client)
    if scheme == "s3":
        return _s3(request, client)
    if scheme == "hf":
        return _hf(request, client)
    raise SourceError(f"uri {request.uri!r}: scheme {scheme!r} is not http, https, s3 or hf")
