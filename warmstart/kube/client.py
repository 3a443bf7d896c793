"""The one door to the Kubernetes API: every HTTP call warmstart makes goes through here.

Generic over `Resource` descriptors, returns plain JSON dicts in API shape,
raises the classed errors of `errors.py`, and retries what may pass (429 with
its Retry-After, 5xx, lost connections) along an injected `Backoff`/sleep.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import orjson

from warmstart.kube.config import KubeConfig
from warmstart.kube.errors import AlreadyExists, ApiUnreachable, NotFound, raise_for_response
from warmstart.kube.resources import Resource
from warmstart.kube.retry import Backoff, Sleep, retrying
from warmstart.kube.watch import WatchStream

Obj = dict[str, Any]
MERGE_PATCH = "application/merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"  # JSON is YAML, so we send JSON


@dataclass(frozen=True)
class ObjectList:
    items: list[Obj]
    resource_version: str
    continue_token: str | None = None


@dataclass(frozen=True)
class RawObjectList:
    items: list[msgspec.Raw]  # each object's JSON (a slice of the reply), undecoded
    resource_version: str
    continue_token: str | None = None


class _RawList(msgspec.Struct):
    items: list[msgspec.Raw] = msgspec.field(default_factory=list)
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


_RAW_LIST = msgspec.json.Decoder(_RawList)


@dataclass
class KubeClient:
    """Sync client; share one per process (httpx pools connections; it is thread-safe)."""

    config: KubeConfig
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Sleep = time.sleep
    timeout_s: float = 10.0
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.config.base_url, timeout=self.timeout_s,
                                  verify=self.config.ssl_context or True)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                body: Any = None, content_type: str = "application/json") -> Obj:
        """One API call with retries; the decoded JSON reply."""
        raw = self.request_raw(method, path, params=params, body=body, content_type=content_type)
        reply: Obj = orjson.loads(raw) if raw else {}
        return reply

    def request_raw(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                    body: Any = None, content_type: str = "application/json") -> bytes:
        """One API call with retries; the reply's bytes, undecoded."""
        content = orjson.dumps(body) if body is not None else None

        def call() -> bytes:
            headers = {"Accept": "application/json", **self.config.headers()}
            if content is not None:
                headers["Content-Type"] = content_type
            try:
                response = self._http.request(method, path, params=params, content=content,
                                              headers=headers)
            except httpx.TransportError as exc:
                raise ApiUnreachable(0, type(exc).__name__, str(exc) or repr(exc)) from exc
            raise_for_response(response)
            return response.content

        return retrying(call, f"{method} {path}", self.backoff, self.sleep)

    def get(self, res: Resource, name: str, namespace: str | None = None) -> Obj:
        return self.request("GET", res.path(namespace, name))

    def list(self, res: Resource, namespace: str | None = None, *,
             label_selector: str | None = None, field_selector: str | None = None,
             resource_version: str | None = None, limit: int | None = None,
             continue_token: str | None = None) -> ObjectList:
        """One page; pass `continue_token` from the previous page for the next."""
        params = _drop_none({"labelSelector": label_selector, "fieldSelector": field_selector,
                             "resourceVersion": resource_version, "limit": limit,
                             "continue": continue_token})
        reply = self.request("GET", res.path(namespace), params=params)
        meta = reply.get("metadata") or {}
        return ObjectList(items=list(reply.get("items") or []),
                          resource_version=str(meta.get("resourceVersion", "")),
                          continue_token=meta.get("continue") or None)

    def pages(self, res: Resource, namespace: str | None = None, *,
              label_selector: str | None = None, page_size: int = 500) -> Iterator[ObjectList]:
        """The pages of a list, each fetched when the previous one is done with; all
        are one consistent read at the first page's resourceVersion."""
        page = self.list(res, namespace, label_selector=label_selector, limit=page_size)
        yield page
        while page.continue_token:
            page = self.list(res, namespace, label_selector=label_selector, limit=page_size,
                             continue_token=page.continue_token)
            yield page

    def raw_pages(self, res: Resource, namespace: str | None = None, *,
                  label_selector: str | None = None, page_size: int = 500,
                  resource_version: str | None = None) -> Iterator[RawObjectList]:
        """`pages`, each item's JSON left undecoded: the caller decodes one object
        at a time, so a list the API server answers in one piece (it ignores
        `limit` at resourceVersion "0", served from its watch cache) never lies
        in memory decoded all at once."""
        params = _drop_none({"labelSelector": label_selector, "limit": page_size,
                             "resourceVersion": resource_version})
        token: str | None = None
        while True:
            page = _RAW_LIST.decode(self.request_raw(
                "GET", res.path(namespace), params={**params, **_drop_none({"continue": token})}))
            token = page.metadata.get("continue") or None
            yield RawObjectList(page.items, str(page.metadata.get("resourceVersion", "")), token)
            if token is None:
                return

    def list_all(self, res: Resource, namespace: str | None = None, *,
                 label_selector: str | None = None, page_size: int = 500) -> ObjectList:
        """Every page of a list; the resourceVersion is the first page's (a consistent read)."""
        items: list[Obj] = []
        version = ""
        for page in self.pages(res, namespace, label_selector=label_selector,
                               page_size=page_size):
            items.extend(page.items)
            version = version or page.resource_version
        return ObjectList(items=items, resource_version=version)

    def create(self, res: Resource, body: Obj, namespace: str | None = None) -> Obj:
        return self.request("POST", res.path(_namespace(res, body, namespace)), body=body)

    def create_or_get(self, res: Resource, body: Obj,
                      namespace: str | None = None) -> tuple[Obj, bool]:
        """Create, or return the object already there under that name: (object, created)."""
        ns = _namespace(res, body, namespace)
        try:
            return self.create(res, body, ns), True
        except AlreadyExists:
            return self.get(res, body["metadata"]["name"], ns), False

    def replace(self, res: Resource, body: Obj, namespace: str | None = None) -> Obj:
        """PUT the whole object; with metadata.resourceVersion set, a stale copy gets Conflict."""
        ns = _namespace(res, body, namespace)
        return self.request("PUT", res.path(ns, body["metadata"]["name"]), body=body)

    def patch(self, res: Resource, name: str, patch: Obj, namespace: str | None = None) -> Obj:
        """JSON merge patch (RFC 7386): maps merge, lists and scalars replace, null deletes."""
        return self.request("PATCH", res.path(namespace, name), body=patch,
                            content_type=MERGE_PATCH)

    def apply(self, res: Resource, body: Obj, field_manager: str, *, force: bool = True,
              namespace: str | None = None) -> Obj:
        """Server-side apply: create or update the fields `field_manager` owns."""
        ns = _namespace(res, body, namespace)
        params = {"fieldManager": field_manager, "force": "true" if force else "false"}
        return self.request("PATCH", res.path(ns, body["metadata"]["name"]), params=params,
                            body=body, content_type=APPLY_PATCH)

    def patch_status(self, res: Resource, name: str, patch: Obj,
                     namespace: str | None = None) -> Obj:
        return self.request("PATCH", res.path(namespace, name) + "/status", body=patch,
                            content_type=MERGE_PATCH)

    def replace_status(self, res: Resource, body: Obj, namespace: str | None = None) -> Obj:
        ns = _namespace(res, body, namespace)
        return self.request("PUT", res.path(ns, body["metadata"]["name"]) + "/status", body=body)

    def delete(self, res: Resource, name: str, namespace: str | None = None) -> bool:
        """Delete; False if it was already gone (a 404 is the outcome we wanted)."""
        try:
            self.request("DELETE", res.path(namespace, name))
        except NotFound:
            return False
        return True

    def watch(self, res: Resource, namespace: str | None = None, *, resource_version: str,
              timeout_s: int = 300, label_selector: str | None = None) -> WatchStream:
        """Open a watch from `resource_version` with bookmarks; the server ends it after
        `timeout_s`. Not retried: the informer decides what to do on failure."""
        params = _drop_none({"watch": "true", "resourceVersion": resource_version,
                             "allowWatchBookmarks": "true", "timeoutSeconds": timeout_s,
                             "labelSelector": label_selector})
        timeout = httpx.Timeout(self.timeout_s, read=timeout_s + self.timeout_s)
        request = self._http.build_request("GET", res.path(namespace), params=params,
                                           headers=self.config.headers(), timeout=timeout)
        return WatchStream(self._http, request)


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _namespace(res: Resource, body: Obj, namespace: str | None) -> str | None:
    if not res.namespaced:
        return None
    ns = namespace or (body.get("metadata") or {}).get("namespace")
    if not ns:
        raise ValueError(f"{res.kind} is namespaced: metadata.namespace is required")
    return str(ns)

