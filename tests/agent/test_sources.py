"""Resolving prefetch URIs, and bad requests refused with the field named."""

from __future__ import annotations

import json

import httpx
import pytest

from agent.prefetch_resource import PrefetchSpecError, mine_to_do, request_of
from agent.sources import PrefetchRequest, SourceError, resolve
from tests.agent.fileserver import Served, serving
from warmstart.cli.main import main


def test_s3_single_object_is_sized_by_a_head_request():
    with serving(Served({"/bucket/models/m.gguf": b"x" * 1234})) as srv, httpx.Client() as http:
        plan = resolve(PrefetchRequest(uri="s3://bucket/models/m.gguf", endpoint=srv.url), http)

    (only,) = plan.files
    assert (only.path, only.bytes, plan.bytes) == ("m.gguf", 1234, 1234)
    assert only.url.endswith("/bucket/models/m.gguf")


@pytest.mark.parametrize(
    ("uri", "endpoint", "message"),
    [
        ("ftp://host/m.gguf", None, "scheme 'ftp' is not http, https, s3 or hf"),
        ("s3://bucket/m.gguf", None, "needs `endpoint`"),
        ("hf://just-a-name", "http://127.0.0.1:9", "expected hf://org/name"),
        ("https://host/dir/", None, "must name a file"),
    ],
)
def test_unusable_uris_are_refused_with_the_reason(uri, endpoint, message):
    with httpx.Client() as http, pytest.raises(SourceError, match=message):
        resolve(PrefetchRequest(uri=uri, endpoint=endpoint), http)


def test_a_prefetch_spec_error_names_the_field():
    bad = {"metadata": {"name": "p"}, "spec": {"nodeName": "n", "uri": "hf://o/m", "sha256": "xyz"}}

    with pytest.raises(PrefetchSpecError, match=r"spec\.sha256: String should match pattern"):
        request_of(bad)


def test_only_this_nodes_unfinished_prefetches_oldest_first():
    def obj(name, node, phase=None, created="2026-11-28T01:00:00Z"):
        status = {"phase": phase} if phase else {}
        return {
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": node, "uri": "hf://o/m"},
            "status": status,
        }

    todo = mine_to_do(
        [
            obj("b", "n1", created="2026-11-28T02:00:00Z"),
            obj("a", "n1", "Downloading"),
            obj("c", "n2"),
            obj("d", "n1", "Succeeded"),
            obj("e", "n1", "Failed"),
        ],
        "n1",
    )

    assert [o["metadata"]["name"] for o in todo] == ["a", "b"]


def test_record_nvml_writes_this_machines_answers(tmp_path):
    out = tmp_path / "nvml.json"

    assert main(["agent", "record-nvml", str(out)]) == 0
    calls = json.loads(out.read_text())["calls"]
    assert "init()" in calls  # on a machine without a driver: {"error": "LibraryNotFound", ...}
