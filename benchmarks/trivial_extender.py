"""A trivial prioritize-only extender, the scheduler benchmark's yardstick for
what any extender costs kube-scheduler: it parses the call and gives every
node the same score, knowing nothing about models.

    python -m benchmarks.trivial_extender --port 8889

It is a bare ASGI app under uvicorn (one worker, as the warmstart extender
runs), with orjson, so its own cost is the least an HTTP extender in Python
can have; every node is named in the reply, as sample extenders do.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def prioritize(body: bytes) -> bytes:
    """Every node of the call, score 1."""
    args = orjson.loads(body)
    names = args.get("NodeNames") or [n["metadata"]["name"] for n in args["Nodes"]["items"]]
    return orjson.dumps([{"Host": name, "Score": 1} for name in names])


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    if scope["path"] == "/prioritize":
        status, reply = 200, prioritize(b"".join(chunks))
    else:  # /readyz and anything else
        status, reply = (200, b"{}") if scope["path"] == "/readyz" else (404, b"{}")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": reply})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
