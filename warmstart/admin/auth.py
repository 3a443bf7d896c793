"""Who may call the admin API: Kubernetes TokenReview + SubjectAccessReview,
or static bearer tokens from a mounted Secret file, for clusters without them.

Reads (GET) need the reader role, writes (PUT, POST) the admin role. With
Kubernetes review, roles are ClusterRoles on non-resource URLs (`/v1/*`, verbs
get / put / post; see the chart's templates/admin/rbac.yaml); answers are cached briefly so a
dashboard's polling costs the API server little.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from warmstart.kube.client import KubeClient

READ_VERBS = frozenset({"get", "head"})


class AuthError(ValueError):
    """The token file cannot be used; the message names the line."""


@dataclass(frozen=True)
class Identity:
    user: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Authorizer(Protocol):
    def authenticate(self, token: str) -> Identity | None: ...

    def allowed(self, who: Identity, verb: str, path: str) -> bool: ...


def parse_tokens(text: str, source: str) -> dict[str, tuple[str, str]]:
    """`token,user,role` per line (role: reader | admin); `#` starts a comment."""
    tokens: dict[str, tuple[str, str]] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3 or not all(parts) or parts[2] not in ("reader", "admin"):
            raise AuthError(f"{source}:{n}: want 'token,user,role' with role reader|admin")
        tokens[parts[0]] = (parts[1], parts[2])
    return tokens


class StaticTokens:
    """Tokens from a file, re-read when it changes (a rotated Secret)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._tokens: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        mtime = self.path.stat().st_mtime
        if mtime != self._mtime:
            self._tokens = parse_tokens(self.path.read_text(), str(self.path))
            self._mtime = mtime

    def authenticate(self, token: str) -> Identity | None:
        with self._lock:
            # keep the last good tokens through a half-written update
            with contextlib.suppress(OSError, AuthError):
                self._load()
            found = self._tokens.get(token)
        return Identity(user=found[0], groups=(f"warmstart:{found[1]}",)) if found else None

    def allowed(self, who: Identity, verb: str, path: str) -> bool:
        return "warmstart:admin" in who.groups or verb in READ_VERBS


class KubeReview:
    """TokenReview for who, SubjectAccessReview on the request's path for what."""

    def __init__(self, client: KubeClient, ttl_s: float = 10.0) -> None:
        self.client, self.ttl_s = client, ttl_s
        self._cache: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, ...], compute: Any) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        value = compute()
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now, value)
        return value

    def authenticate(self, token: str) -> Identity | None:
        key = ("token", hashlib.sha256(token.encode()).hexdigest())
        result: Identity | None = self._cached(key, lambda: self._review(token))
        return result

    def _review(self, token: str) -> Identity | None:
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                "spec": {"token": token}}
        status = self.client.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                                     body=body).get("status") or {}
        if not status.get("authenticated"):
            return None
        user = status.get("user") or {}
        extra = tuple(sorted((k, tuple(v)) for k, v in (user.get("extra") or {}).items()))
        return Identity(user=str(user.get("username", "")), groups=tuple(user.get("groups") or ()),
                        uid=str(user.get("uid", "")), extra=extra)

    def allowed(self, who: Identity, verb: str, path: str) -> bool:
        key = ("sar", who.user, who.uid, ",".join(who.groups), verb, path)
        result: bool = self._cached(key, lambda: self._access(who, verb, path))
        return result

    def _access(self, who: Identity, verb: str, path: str) -> bool:
        spec = {"user": who.user, "groups": list(who.groups), "uid": who.uid,
                "extra": {k: list(v) for k, v in who.extra},
                "nonResourceAttributes": {"path": path, "verb": verb}}
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": spec}
        reply = self.client.request(
            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body=body)
        return bool((reply.get("status") or {}).get("allowed"))
