"""A small Kubernetes API server for tests, with the watch semantics clients rely on.

kmock's emulator has no resourceVersions, bookmarks, 410 Gone, label selectors,
pagination or optimistic concurrency; this fake has them, over real HTTP on
127.0.0.1, in a bounded thread. It is generic: any `/api/v1/...` or
`/apis/<group>/<version>/...` path is a resource, created on first use.

Semantics kept from the real API server:
- one cluster-wide, increasing resourceVersion; every write bumps it;
- list: labelSelector (`a=b`, `a==b`, `a!=b`, `a`, `!a`, comma = and), limit/continue;
- watch from a resourceVersion streams later events; one older than the last
  `compact()` gets an ERROR event with a 410 Status; `allowWatchBookmarks=true`
  gets BOOKMARK events on `bookmark()`; `timeoutSeconds` ends the stream
  (capped by `watch_cap_s` so tests stay fast);
- POST of a taken name -> 409 AlreadyExists; PUT/merge-PATCH carrying a stale
  metadata.resourceVersion -> 409 Conflict; `/status` writes touch only status,
  other writes keep it; server-side apply (application/apply-patch+yaml)
  creates or merges (no field ownership: a simplification);
- errors are Status objects; `fail_next(...)` injects failures (e.g. 429 with
  Retry-After, 500) for the next matching requests.

Use (a pytest fixture):

    @pytest.fixture
    def kube():
        with running_kubemock() as mock:
            yield mock

    mock.url                      # base URL for warmstart.kube.config.from_url
    mock.seed(NODES, {...})       # put an object in (records an ADDED event)
    mock.object(NODES, "n1")      # read one back (None if absent); mock.objects(NODES)
    mock.requests                 # [Recorded(method, path, query, body, headers)], in order
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from warmstart.kube.resources import Resource

Obj = dict[str, Any]
Key = tuple[str, str | None, str]  # (collection "group/version/plural", namespace, name)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: float | None
    method: str | None
    path_contains: str | None


def _collection(res: Resource) -> str:
    return f"{res.group or 'core'}/{res.version}/{res.plural}"


def _parse_path(path: str) -> tuple[str, str | None, str | None, str | None]:
    """(collection, namespace, name, subresource) of an API path."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"]:
        group, version, rest = "core", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 4:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise LookupError(path)
    namespace = None
    if rest[:1] == ["namespaces"] and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    return f"{group}/{version}/{rest[0]}", namespace, name, sub


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def selector_matches(selector: str | None, labels: dict[str, str]) -> bool:
    for term in filter(None, (t.strip() for t in (selector or "").split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            ok = labels.get(k.strip()) != v.strip()
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            ok = labels.get(k.strip()) == v.strip()
        elif term.startswith("!"):
            ok = term[1:].strip() not in labels
        else:
            ok = term in labels
        if not ok:
            return False
    return True


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def body(self) -> Obj:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "code": self.status, "reason": self.reason, "message": self.message}


class KubeMock:
    """The in-memory API state; thread-safe. Tests use it through its public methods."""

    def __init__(self, watch_cap_s: float = 5.0) -> None:
        self.url = ""
        self.watch_cap_s = watch_cap_s
        self.requests: list[Recorded] = []
        self._objects: dict[Key, Obj] = {}
        self._history: list[tuple[int, str, str, Obj]] = []  # (rv, collection, type, object)
        self._rv = itertools.count(1000)
        self._current_rv = 999
        self._compacted_rv = 0
        self._bookmarks = 0
        self._faults: list[_Fault] = []
        self._cond = threading.Condition()
        self.stopping = False

    # -- for tests -------------------------------------------------------------
    def seed(self, res: Resource, obj: Obj) -> Obj:
        meta = obj.get("metadata") or {}
        return self.create(_collection(res), meta.get("namespace"), obj)

    def object(self, res: Resource, name: str, namespace: str | None = None) -> Obj | None:
        with self._cond:
            found = self._objects.get((_collection(res), namespace, name))
            return copy.deepcopy(found) if found else None

    def objects(self, res: Resource) -> list[Obj]:
        with self._cond:
            col = _collection(res)
            return [copy.deepcopy(o) for (c, _, _), o in self._objects.items() if c == col]

    def remove(self, res: Resource, name: str, namespace: str | None = None) -> None:
        self.delete(_collection(res), namespace, name)

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None,
                  method: str | None = None, path_contains: str | None = None) -> None:
        """The next `times` matching requests get `status` (a Status body) instead."""
        with self._cond:
            self._faults.append(_Fault(status, times, retry_after, method, path_contains))

    def compact(self) -> None:
        """Forget event history: watches from older resourceVersions now get 410 Gone."""
        with self._cond:
            self._history.clear()
            self._compacted_rv = self._current_rv

    def bookmark(self) -> None:
        """Send a BOOKMARK (at the current resourceVersion) to watches that allow them."""
        with self._cond:
            self._bookmarks += 1
            self._cond.notify_all()

    def requests_to(self, method: str, path_contains: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_contains in r.path]

    # -- API semantics ---------------------------------------------------------
    def take_fault(self, method: str, path: str) -> _Fault | None:
        with self._cond:
            for fault in self._faults:
                if (fault.method in (None, method)
                        and (fault.path_contains is None or fault.path_contains in path)):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _record(self, col: str, kind: str, obj: Obj) -> None:
        rv = next(self._rv)
        self._current_rv = rv
        obj["metadata"]["resourceVersion"] = str(rv)
        self._history.append((rv, col, kind, copy.deepcopy(obj)))
        self._cond.notify_all()

    def create(self, col: str, ns: str | None, body: Obj) -> Obj:
        obj = copy.deepcopy(body)
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name:
            raise ApiError(422, "Invalid", "metadata.name: Required value")
        if ns:
            meta["namespace"] = ns
        with self._cond:
            if (col, ns, name) in self._objects:
                plural = col.split("/")[-1]
                raise ApiError(409, "AlreadyExists", f'{plural} "{name}" already exists')
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            self._record(col, "ADDED", obj)
            self._objects[(col, ns, name)] = obj
            return copy.deepcopy(obj)

    def update(self, col: str, ns: str | None, name: str, body: Obj, *, patch: bool,
               status_only: bool) -> Obj:
        with self._cond:
            old = self._objects.get((col, ns, name))
            if old is None:
                raise ApiError(404, "NotFound", f'{col.split("/")[-1]} "{name}" not found')
            want_rv = (body.get("metadata") or {}).get("resourceVersion")
            if want_rv and want_rv != old["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on "{name}": '
                               "the object has been modified; please apply your changes "
                               "to the latest version and try again")
            if status_only:
                new = copy.deepcopy(old)
                new["status"] = merge_patch(old.get("status"), body.get("status")) if patch \
                    else copy.deepcopy(body.get("status"))
            else:
                new = merge_patch(old, body) if patch else copy.deepcopy(body)
                new.pop("status", None)
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
            new["metadata"] = {**new.get("metadata", {}), "uid": old["metadata"]["uid"],
                               "name": name, **({"namespace": ns} if ns else {})}
            self._record(col, "MODIFIED", new)
            self._objects[(col, ns, name)] = new
            return copy.deepcopy(new)

    def delete(self, col: str, ns: str | None, name: str) -> Obj:
        with self._cond:
            obj = self._objects.pop((col, ns, name), None)
            if obj is None:
                raise ApiError(404, "NotFound", f'{col.split("/")[-1]} "{name}" not found')
            self._record(col, "DELETED", obj)
            return copy.deepcopy(obj)

    def get(self, col: str, ns: str | None, name: str) -> Obj:
        with self._cond:
            obj = self._objects.get((col, ns, name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{col.split("/")[-1]} "{name}" not found')
            return copy.deepcopy(obj)

    def list(self, col: str, ns: str | None, query: dict[str, str]) -> Obj:
        limit = int(query.get("limit") or 0)
        start = json.loads(base64.b64decode(query["continue"])) if query.get("continue") else ""
        with self._cond:
            rv = str(self._current_rv)
            matching = sorted(
                ((f"{n or ''}/{name}", o) for (c, n, name), o in self._objects.items()
                 if c == col and ns in (None, n)
                 and selector_matches(query.get("labelSelector"), _labels(o))),
                key=lambda pair: pair[0])
        page = [(k, o) for k, o in matching if k > start] if start else matching
        meta: Obj = {"resourceVersion": rv}
        if limit and len(page) > limit:
            page = page[:limit]
            meta["continue"] = base64.b64encode(json.dumps(page[-1][0]).encode()).decode()
        return {"kind": "List", "apiVersion": "v1", "metadata": meta,
                "items": [copy.deepcopy(o) for _, o in page]}

    def watch_events(self, col: str, ns: str | None, query: dict[str, str]) -> Iterator[Obj]:
        """Events after the given resourceVersion until the timeout or server stop."""
        since = int(query.get("resourceVersion") or 0)
        timeout = min(float(query.get("timeoutSeconds") or self.watch_cap_s), self.watch_cap_s)
        deadline = time.monotonic() + timeout
        bookmarks = query.get("allowWatchBookmarks") == "true"
        with self._cond:
            if since and since < self._compacted_rv:
                yield {"type": "ERROR", "object": ApiError(
                    410, "Expired", f"too old resource version: {since} "
                    f"({self._compacted_rv})").body()}
                return
            seen_bookmarks = self._bookmarks
        while not self.stopping and time.monotonic() < deadline:
            with self._cond:
                fresh = [(rv, t, o) for rv, c, t, o in self._history if rv > since and c == col
                         and ns in (None, o["metadata"].get("namespace"))
                         and selector_matches(query.get("labelSelector"), _labels(o))]
                marks = self._bookmarks - seen_bookmarks
                seen_bookmarks = self._bookmarks
                current = self._current_rv
                if not fresh and not marks:
                    self._cond.wait(max(0.0, min(0.2, deadline - time.monotonic())))
            for rv, kind, obj in fresh:
                since = rv
                yield {"type": kind, "object": obj}
            if marks and bookmarks:
                since = max(since, current)
                mark = {"resourceVersion": str(current)}
                yield {"type": "BOOKMARK", "object": {"kind": "Bookmark", "metadata": mark}}

    def stop(self) -> None:
        with self._cond:
            self.stopping = True
            self._cond.notify_all()


def _labels(obj: Obj) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection is dropped after this
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _reply(self, status: int, body: Obj, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        mock = self.server.mock
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        mock.requests.append(Recorded(self.command, url.path, query, body, dict(self.headers)))
        fault = mock.take_fault(self.command, url.path)
        if fault is not None:
            extra = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            err = ApiError(fault.status, "Injected", f"injected failure {fault.status}")
            self._reply(fault.status, err.body(), extra)
            return
        try:
            col, ns, name, sub = _parse_path(url.path)
            if self.command == "GET" and name is None and query.get("watch") == "true":
                self._stream(mock.watch_events(col, ns, query))
                return
            status, reply = self._dispatch(mock, col, ns, name, sub, body, query)
        except LookupError:
            status, reply = 404, ApiError(404, "NotFound", f"no route {url.path}").body()
        except ApiError as err:
            status, reply = err.status, err.body()
        self._reply(status, reply)

    def _dispatch(self, mock: KubeMock, col: str, ns: str | None, name: str | None,
                  sub: str | None, body: Any, query: dict[str, str]) -> tuple[int, Obj]:
        method, status_only = self.command, sub == "status"
        if method == "POST" and name is None:
            return 201, mock.create(col, ns, body)
        if name is None:
            if method == "GET":
                return 200, mock.list(col, ns, query)
            raise ApiError(405, "MethodNotAllowed", f"{method} on a collection")
        if method == "GET":
            return 200, mock.get(col, ns, name)
        if method == "DELETE":
            return 200, mock.delete(col, ns, name)
        if method == "PUT":
            return 200, mock.update(col, ns, name, body, patch=False, status_only=status_only)
        if method == "PATCH":
            if "apply-patch" in (self.headers.get("Content-Type") or ""):
                if not query.get("fieldManager"):
                    raise ApiError(422, "Invalid", "fieldManager: Required value for apply")
                try:
                    mock.get(col, ns, name)
                except ApiError:
                    return 201, mock.create(col, ns, body)
            return 200, mock.update(col, ns, name, body, patch=True, status_only=status_only)
        raise ApiError(405, "MethodNotAllowed", method)

    def _stream(self, events: Iterator[Obj]) -> None:
        # No Content-Length: the body runs until we close, like a long-poll watch.
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for event in events:
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    mock: KubeMock


@contextmanager
def running_kubemock(watch_cap_s: float = 5.0) -> Iterator[KubeMock]:
    """Serve a fresh KubeMock on a free 127.0.0.1 port for the `with` block."""
    mock = KubeMock(watch_cap_s=watch_cap_s)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.mock = mock
    mock.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True, name="kubemock")
    thread.start()
    try:
        yield mock
    finally:
        mock.stop()
        server.shutdown()
        server.server_close()
        thread.join(5)
