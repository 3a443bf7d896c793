"""Pre-pulls stop at kubelet's image GC line: the arithmetic, image by image."""

from __future__ import annotations

from agent.image_gc import FsUsage, decide_pulls

GB = 10**9


def test_a_pull_that_stays_under_the_line_goes_ahead():
    # 100 GB disk, 70 GB used, line at 85 GB: 70 + 10 = 80 <= 85.
    (decision,) = decide_pulls(["a"], frozenset(), FsUsage(70 * GB, 100 * GB), image_bytes=10 * GB)
    assert decision.pull and "80 %" in decision.reason


def test_each_accepted_pull_uses_room_the_next_one_needed():
    # 70 + 10 = 80 fits; 80 + 10 = 90 > 85 does not.
    first, second = decide_pulls(["a", "b"], frozenset(), FsUsage(70 * GB, 100 * GB),
                                 image_bytes=10 * GB)
    assert first.pull and not second.pull
    assert "90 %" in second.reason and "85 %" in second.reason


def test_present_images_are_not_pulled_and_use_no_room():
    present, fits = decide_pulls(["a", "b"], frozenset({"a"}), FsUsage(70 * GB, 100 * GB),
                                 image_bytes=10 * GB)
    assert (present.pull, present.reason) == (False, "already held by the runtime")
    assert fits.pull


def test_the_kubelet_threshold_is_a_setting():
    (decision,) = decide_pulls(["a"], frozenset(), FsUsage(70 * GB, 100 * GB),
                               high_threshold_percent=75, image_bytes=10 * GB)
    assert not decision.pull


def test_unknown_filesystem_usage_pulls_nothing():
    (decision,) = decide_pulls(["a"], frozenset(), None)
    assert not decision.pull and "unknown" in decision.reason
