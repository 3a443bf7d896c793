"""What the extender keeps between calls stays within bounds and answers the same:
score vectors within their byte budget (least recently used dropped), and node
names laid out afresh without changing a lookup."""

from __future__ import annotations

import numpy as np

from extender.ranking import ScoreMemo
from extender.slots import NodeSlots


def test_score_vectors_stay_within_their_byte_budget() -> None:
    memo = ScoreMemo(vector_bytes=2 * 1024)
    vector = np.zeros(1024, np.int8)
    for shape in ("a", "b", "c"):
        memo.keep(shape, 1, vector)
    assert memo.vector("a", 1) is None and memo.vector("c", 1) is not None
    assert memo.vector("b", 1) is not None  # now the most recently used
    memo.keep("d", 1, vector)
    assert memo.vector("c", 1) is None and memo.vector("b", 1) is not None
    assert memo.vector("b", 2) is None  # another index generation


def test_compacted_names_look_up_the_same() -> None:
    slots = NodeSlots()
    names = [f"gpu-{i}" for i in range(50)]
    for name in names:
        slots.add(name)
    slots.remove("gpu-7")
    before = slots.lookup(names), slots.version, slots.entries.copy()
    old_keys = list(slots.of)
    slots.compact()
    assert slots.lookup(names).tolist() == before[0].tolist() and slots.version == before[1]
    assert slots.entries.tolist() == before[2].tolist()
    assert all(a == b and a is not b for a, b in zip(slots.of, old_keys, strict=True))
    assert slots.names[slots.of["gpu-8"]] is next(k for k in slots.of if k == "gpu-8")
