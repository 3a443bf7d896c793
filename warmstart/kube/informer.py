"""A local, always-current copy of one resource type: list, then watch, forever.

The Kubernetes way (client-go's reflector + store): list to get a snapshot and
its resourceVersion, watch from there with bookmarks, relist when the server
says 410 Gone, back off on errors. A relist is a full resync, applied as
client-go's `Replace`: the new store takes the old one's place in one step, and
only then are the changes reported (objects that vanished while we were not
watching as DELETED), so a handler that reads the store sees what it is told.
Consumers read the store from any thread and check `last_synced_at` to know
how stale it is.

Every node's agent runs one of these: after an API-server blip they must not
retry, relist and re-watch in lockstep. Failures back off with jitter, and
each watch asks the server to end it after a random time in [T, 2T), as
client-go's reflector does; the random source is injected for tests.

A consumer that keeps its own view of the objects can have the store keep less
of each (client-go's transform): `keep=identity` holds only the names and
resourceVersions a relist needs, handlers still get every object whole, and a
relist reports a vanished object by that identity alone. The changed objects a
relist must report are held until the swap as the list's own JSON, each
decoded only when it is stored and when it is reported, so the decoded list
never lies in memory whole (the first list comes from the API server's watch
cache in one piece). A consumer that reads a few fields of large objects can
have listed objects decoded (`decode`) into just those fields; watch events,
one object at a time, come whole.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Any

import msgspec
import orjson

from warmstart.clock import Clock
from warmstart.kube.client import KubeClient
from warmstart.kube.errors import Gone
from warmstart.kube.resources import Resource
from warmstart.kube.retry import Backoff, Random, jittered
from warmstart.kube.watch import WatchEvent, WatchStream

log = logging.getLogger(__name__)
Obj = dict[str, Any]
# (event type ADDED | MODIFIED | DELETED, the object, the previous version or None)
Handler = Callable[[str, Obj, Obj | None], None]
# A listed object's JSON -> what the store and handlers get of it (`whole` by default)
Decode = Callable[[msgspec.Raw], Obj]


def whole(raw: msgspec.Raw) -> Obj:
    """Every field of a listed object."""
    obj: Obj = orjson.loads(memoryview(raw))
    return obj


def identity(obj: Obj) -> Obj:
    """Of an object only what tells it apart and dates it: its name, namespace
    and resourceVersion."""
    meta = obj.get("metadata") or {}
    return {"metadata": {k: meta[k] for k in ("name", "namespace", "resourceVersion") if k in meta}}


def object_key(obj: Obj) -> str:
    """"namespace/name", or "name" for cluster-scoped objects."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{ns}/{meta['name']}" if ns else str(meta["name"])


class Informer:
    def __init__(self, client: KubeClient, resource: Resource, *, clock: Clock,
                 namespace: str | None = None, label_selector: str | None = None,
                 watch_timeout_s: int = 300, backoff: Backoff | None = None,
                 keep: Callable[[Obj], Obj] | None = None, decode: Decode | None = None,
                 rand: Random = random.random) -> None:
        self.client, self.resource, self.clock = client, resource, clock
        self._keep = keep or (lambda obj: obj)
        self._decode = decode or whole
        self.namespace, self.label_selector = namespace, label_selector
        self.watch_timeout_s = watch_timeout_s  # each watch lasts a draw from [T, 2T)
        self._rand = rand
        self.backoff = backoff or Backoff(delays=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0), rand=rand)
        self.resource_version = ""
        self.last_synced_at: float | None = None
        self._handlers: list[Handler] = []
        self._store: dict[str, Obj] = {}
        self._lock = threading.Lock()
        self._needs_relist = True
        self._stopping = threading.Event()
        self._stream: WatchStream | None = None
        self._thread: threading.Thread | None = None

    # -- reading ---------------------------------------------------------------
    @property
    def has_synced(self) -> bool:
        return self.last_synced_at is not None

    def get(self, name: str, namespace: str | None = None) -> Obj | None:
        with self._lock:
            return self._store.get(f"{namespace}/{name}" if namespace else name)

    def items(self) -> list[Obj]:
        with self._lock:
            return list(self._store.values())

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)

    # -- one step at a time (the thread loops over these; tests may call them) ---
    def run_once(self) -> None:
        """Relist if needed, else follow one watch request until the server ends it."""
        if self._needs_relist:
            self.relist()
        else:
            self.watch_once()

    def relist(self) -> None:
        """List page by page into a new store, put it in the old one's place, then
        report what changed (client-go's Replace)."""
        with self._lock:
            old = self._store
        fresh: dict[str, Obj] = {}
        changed: list[tuple[str, msgspec.Raw, Obj | None]] = []
        version = ""
        # The first list may come from the API server's watch cache, as client-go's
        # reflector's does (resourceVersion "0"); one after a 410 must be current.
        since = None if self.resource_version else "0"
        for page in self.client.raw_pages(self.resource, self.namespace,
                                          label_selector=self.label_selector,
                                          resource_version=since):
            version = version or page.resource_version
            for raw in page.items:
                obj = self._decode(raw)
                key = object_key(obj)
                fresh[key] = self._keep(obj)
                previous = old.get(key)
                if previous is None or _version(previous) != _version(obj):
                    changed.append(("ADDED" if previous is None else "MODIFIED", raw, previous))
        with self._lock:
            self._store = fresh
            self.resource_version = version
            self._needs_relist = False
        for kind, raw, previous in changed:
            self._emit(kind, self._decode(raw), previous)
        changed.clear()
        for key in old.keys() - fresh.keys():
            self._emit("DELETED", old[key], old[key])
        # Synced once the handlers have the list too (client-go's HasSynced): a consumer
        # that reports ready on it, as the extender does, must not be ready while empty.
        self._mark_synced()

    def watch_once(self) -> None:
        self._stream = self.client.watch(
            self.resource, self.namespace, resource_version=self.resource_version,
            timeout_s=int(jittered(self.watch_timeout_s, 1.0, self._rand)),
            label_selector=self.label_selector)
        try:
            for event in self._stream:
                self._apply(event)
            self._mark_synced()  # a watch that ran to its end kept the store current throughout
        except Gone:
            log.info("%s: resourceVersion %s expired; relisting",
                     self.resource.plural, self.resource_version)
            self._needs_relist = True
        finally:
            self._stream = None

    def _apply(self, event: WatchEvent) -> None:
        if event.resource_version:
            self.resource_version = event.resource_version
        if event.type in ("ADDED", "MODIFIED", "DELETED"):
            key = object_key(event.object)
            with self._lock:
                previous = self._store.get(key)
                if event.type == "DELETED":
                    self._store.pop(key, None)
                else:
                    self._store[key] = self._keep(event.object)
            kind = "ADDED" if event.type == "MODIFIED" and previous is None else event.type
            self._emit(kind, event.object, previous)
        self._mark_synced()  # any event, bookmarks included, proves the stream is live

    def _emit(self, kind: str, obj: Obj, previous: Obj | None) -> None:
        for handler in self._handlers:
            try:
                handler(kind, obj, previous)
            except Exception:  # a consumer's bug must not stop everyone's updates
                log.exception("%s handler failed on %s %s", self.resource.plural, kind,
                              object_key(obj))

    def _mark_synced(self) -> None:
        self.last_synced_at = self.clock.now()

    # -- the background thread --------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"informer for {self.resource.plural} already started")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"informer-{self.resource.plural}")
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        stream = self._stream
        if stream is not None:
            stream.close()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self.run_once()
                failures = 0
            except Exception as error:  # the loop must outlive any one failure
                delay = self.backoff.delay(failures, error)
                failures += 1
                log.warning("%s informer: %s; attempt %d, retrying in %.1f s",
                            self.resource.plural, error, failures, delay)
                self._stopping.wait(delay)


def _version(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))
