import pytest

from warmstart.clock import ManualClock


def test_manual_clock_moves_only_when_told():
    clock = ManualClock(start=100.0)
    assert (clock.now(), clock.monotonic()) == (100.0, 100.0)
    clock.advance(2.5)
    clock.set(110.0)
    assert clock.now() == 110.0


def test_manual_clock_refuses_to_go_back():
    with pytest.raises(ValueError, match="cannot go back"):
        ManualClock(start=5.0).set(4.0)
