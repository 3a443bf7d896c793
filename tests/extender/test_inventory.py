"""`--inventory` files: NodeCache, Model and Node objects as kubectl prints them;
errors name the document, item and field."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import yaml

from warmstart.examples import example_path
from warmstart.inventory import InventoryError, load_inventory, stream_inventory


def test_example_cluster_loads():
    cluster = load_inventory(example_path("cluster.yaml"))
    assert len(cluster.nodes) == 12 and len(cluster.node_caches) == 7 and len(cluster.models) == 2
    h100 = next(c for c in cluster.node_caches if c.node_name == "gpu-h100-1")
    assert h100.warm.cuda_init_seconds == 2.5


def test_streaming_gives_the_same_objects_in_file_order():
    path = example_path("cluster.yaml")
    streamed = list(stream_inventory(path))
    assert sorted(map(repr, streamed)) == sorted(map(repr, load_inventory(path)))
    kinds = [type(o).__name__ for o in streamed]
    assert kinds[:12] == ["dict"] * 12 and kinds[12:] == ["NodeInventory"] * 7 + ["ModelRef"] * 2


def test_a_json_list_loads_and_node_name_defaults_to_the_object_name(tmp_path: Path):
    path = tmp_path / "caches.json"
    path.write_bytes(
        orjson.dumps(
            {
                "kind": "NodeCacheList",
                "items": [
                    {"kind": "NodeCache", "metadata": {"name": "n1"}, "status": {"gpus": []}}
                ],
            }
        )
    )
    (cache,) = load_inventory(path).node_caches
    assert cache.node_name == "n1"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {
                "kind": "NodeCache",
                "metadata": {"name": "n"},
                "status": {"models": [{"uri": "s3://m", "tier": "floppy", "bytes": 1}]},
            },
            "bad.yaml[0].status.models.0.tier",
        ),
        ({"kind": "NodeCache", "metadata": {"name": "n"}}, "bad.yaml[0].status: missing"),
        (
            {"kind": "List", "items": [{"kind": "Model", "spec": {"bytes": 1}}]},
            "bad.yaml[0].items[0].spec.uri",
        ),
        ({"kind": "Pod", "metadata": {"name": "p"}}, "bad.yaml[0].kind: expected NodeCache"),
        ([1, 2], "bad.yaml[0]: expected a Kubernetes object"),
    ],
)
def test_errors_name_the_field(tmp_path: Path, doc: object, message: str):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    pattern = message.replace("[", r"\[").replace("]", r"\]")
    with pytest.raises(InventoryError, match=pattern):
        load_inventory(path)
    with pytest.raises(InventoryError, match=pattern):
        list(stream_inventory(path))


def test_unreadable_file_is_an_inventory_error(tmp_path: Path):
    with pytest.raises(InventoryError, match=r"missing\.yaml"):
        load_inventory(tmp_path / "missing.yaml")
