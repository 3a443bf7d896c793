"""cluster-autoscaler's gRPC expander: the `grpcplugin.Expander` service.

cluster-autoscaler calls BestOptions with its scale-up options and expects
the best subset back within 5 s; on any RPC error it keeps all options, so a
request we cannot read is refused with INVALID_ARGUMENT (naming the field)
rather than guessed at. cluster-autoscaler insists on TLS; tests may run
without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from provisioner.expander.decode import DecodeFailure, node_dict, pod_dict
from provisioner.expander.protos import expander_pb2, expander_pb2_grpc
from provisioner.expander.ranking import OptionIn, best, rank
from provisioner.state import NodeTemplate

log = logging.getLogger(__name__)


def _options(request: Any) -> list[OptionIn]:
    nodes: Mapping[str, bytes] = request.nodeBytesMap or request.nodeMap
    out = []
    for i, option in enumerate(request.options):
        group = option.nodeGroupId
        raw_node = nodes.get(group)
        node = node_dict(raw_node, f"nodeBytesMap[{group!r}]") if raw_node else None
        raw_pods = option.podBytes or option.pod
        pods = tuple(pod_dict(p, f"options[{i}].podBytes[{j}]") for j, p in enumerate(raw_pods))
        out.append(OptionIn(group, option.nodeCount, node, pods))
    return out


class ExpanderService(expander_pb2_grpc.ExpanderServicer):
    def __init__(self, templates: tuple[NodeTemplate, ...],
                 wait_dollars_per_hour: float = 100.0) -> None:
        self.templates = templates
        self.wait_dollars_per_hour = wait_dollars_per_hour

    def BestOptions(self, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            options = _options(request)
        except DecodeFailure as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        chosen = best(rank(options, self.templates, self.wait_dollars_per_hour))
        for r in chosen:
            log.info("expander: %s x %d chosen: %s", r.group, r.count, r.debug)
        return expander_pb2.BestOptionsResponse(options=[
            expander_pb2.Option(nodeGroupId=r.group, nodeCount=r.count, debug=r.debug)
            for r in chosen
        ])


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


def serve(service: ExpanderService, address: str, tls: TlsFiles | None = None,
          workers: int = 4) -> tuple[grpc.Server, int]:
    """Start the server; returns it and the port it bound (for address "host:0")."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    expander_pb2_grpc.add_ExpanderServicer_to_server(service, server)  # type: ignore[no-untyped-call]
    if tls is None:
        port = server.add_insecure_port(address)
    else:
        creds = grpc.ssl_server_credentials([(tls.key.read_bytes(), tls.cert.read_bytes())])
        port = server.add_secure_port(address, creds)
    server.start()
    return server, port
