"""What the extender keeps between calls stays within bounds and answers the same:
score vectors within their byte budget (least recently used dropped), the change
log within its length, and node names laid out afresh without changing a lookup."""

from __future__ import annotations

import numpy as np

from extender.changelog import ChangeLog
from extender.ranking import ScoreMemo
from extender.slots import NodeSlots


def test_score_vectors_stay_within_their_byte_budget() -> None:
    memo = ScoreMemo(vector_bytes=2 * 1024)
    vector = np.zeros(1024, np.int8)
    for shape in ("a", "b", "c"):
        memo.keep(shape, 1, vector)
    assert memo.vector("a") is None and memo.vector("c") is not None
    assert memo.vector("b") is not None  # now the most recently used
    memo.keep("d", 2, vector)
    assert memo.vector("c") is None
    assert [kept[0] for kept in (memo.vector("b"), memo.vector("d")) if kept] == [1, 2]


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


def test_the_change_log_keeps_its_newest_records_and_says_when_it_lost_older_ones() -> None:
    log = ChangeLog(kept=4)
    for slot in (3, 1, 3):
        log.record(slot)
    assert log.position == 3
    everything = log.since(0)
    assert everything is not None and everything.tolist() == [1, 3]
    changed = log.since(2)
    assert changed is not None and changed.tolist() == [3]
    for slot in range(6):  # 9 records: the oldest 4 are dropped
        log.record(slot)
    assert log.position == 9 and log.since(3) is None
    kept = log.since(4)
    assert kept is not None and kept.tolist() == [1, 2, 3, 4, 5]
