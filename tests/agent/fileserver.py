"""A real HTTP server on 127.0.0.1 serving generated files, for the prefetch tests.

It honours `Range: bytes=N-` (206), can drop the connection midway through a
file once (to test resume), answers S3 ListObjectsV2 on `/<bucket>?list-type=2`
and the Hugging Face revision API on `/api/models/<org>/<name>/revision/<ref>`.
Every request is recorded; `tampered` serves other bytes than those listed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape


@dataclass
class Served:
    files: dict[str, bytes]
    drop_after: dict[str, int] = field(default_factory=dict)
    """path -> bytes to send before cutting the connection (once per path)."""
    hf_commits: dict[str, str] = field(default_factory=dict)
    """'org/name@ref' -> commit whose files are under '/org/name/resolve/<commit>/'."""
    tampered: dict[str, bytes] = field(default_factory=dict)
    """path -> bytes served in place of the listed file (listings still describe `files`)."""
    requests: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    """(method, path, Range, Authorization) of every request."""
    url: str = ""


class _Handler(BaseHTTPRequestHandler):
    served: Served

    def log_message(self, format: str, *args: object) -> None:  # quiet tests
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/octet-stream",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _record(self, method: str, path: str) -> None:
        headers = self.headers
        self.served.requests.append(
            (method, path, headers.get("Range"), headers.get("Authorization"))
        )

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        self._record("GET", path)
        if path.startswith("/api/models/"):
            return self._hf_api(path)
        if query.get("list-type") == ["2"]:
            return self._s3_list(path.strip("/"), query.get("prefix", [""])[0])
        data = self.served.tampered.get(path, self.served.files.get(path))
        if data is None:
            return self._send(404, b"not found")
        self._file(path, data)

    def do_HEAD(self) -> None:
        path = unquote(urlsplit(self.path).path)
        self._record("HEAD", path)
        data = self.served.files.get(path)
        self.send_response(404 if data is None else 200)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()

    def _file(self, path: str, data: bytes) -> None:
        start = 0
        ranged = self.headers.get("Range")
        if ranged:
            start = int(ranged.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                return self._send(416, b"", extra={"Content-Range": f"bytes */{len(data)}"})
        body = data[start:]
        cut = self.served.drop_after.pop(path, None)
        status = 206 if ranged else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # the peer sees the body end early
            return
        self.wfile.write(body)

    def _s3_list(self, bucket: str, prefix: str) -> None:
        keys = sorted(p for p in self.served.files if p.startswith(f"/{bucket}/{prefix}"))
        items = "".join(
            f"<Contents><Key>{escape(k.removeprefix(f'/{bucket}/'))}</Key>"
            f"<Size>{len(self.served.files[k])}</Size></Contents>"
            for k in keys
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{bucket}</Name><IsTruncated>false</IsTruncated>{items}</ListBucketResult>"
        )
        self._send(200, xml.encode(), "application/xml")

    def _hf_api(self, path: str) -> None:
        repo, _, ref = path.removeprefix("/api/models/").partition("/revision/")
        commit = self.served.hf_commits.get(f"{repo}@{ref}")
        if commit is None:
            return self._send(404, b'{"error": "Revision Not Found"}', "application/json")
        base = f"/{repo}/resolve/{commit}/"
        siblings = []
        for name, data in sorted(self.served.files.items()):
            if name.startswith(base):
                entry: dict[str, object] = {"rfilename": name[len(base) :], "size": len(data)}
                if name.endswith(".safetensors"):  # LFS files carry their sha256
                    entry["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                siblings.append(entry)
        body = json.dumps({"id": repo, "sha": commit, "siblings": siblings}).encode()
        self._send(200, body, "application/json")


@contextmanager
def serving(served: Served) -> Iterator[Served]:
    handler = type("Handler", (_Handler,), {"served": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
