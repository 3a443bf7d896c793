"""The canonical CSV: what it accepts, what it rejects, and that it round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmstart.traces import TraceError, read_canonical, write_canonical


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(text)
    return path


def test_iso_and_epoch_timestamps_mix_and_count_defaults_to_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "model,timestamp,count\n"
                            "b,1970-01-01T00:01:00Z,\n"
                            "a,30,2\n"
                            "a,1970-01-01 00:00:30,3\n")
    frame = read_canonical(path)
    assert list(frame.columns) == ["model", "ts", "count"]
    # a at 30 s appears twice (epoch and ISO) and is summed: 2 + 3.
    assert frame.to_dict("records") == [
        {"model": "a", "ts": 30.0, "count": 5.0},
        {"model": "b", "ts": 60.0, "count": 1.0},
    ]


def test_count_column_is_optional(tmp_path: Path) -> None:
    frame = read_canonical(_write(tmp_path, "model,timestamp\nm,10\nm,5\n"))
    assert frame["ts"].tolist() == [5.0, 10.0]
    assert frame["count"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model,timestamp\nm,10\nm,yesterday\n", "line 3, column 'timestamp'"),
        ("model,timestamp,count\nm,10,-1\n", "line 2, column 'count'"),
        ("model,timestamp,count\nm,10,many\n", "line 2, column 'count'"),
        ("model,timestamp\n,10\n", "line 2, column 'model'"),
        ("name,time\nm,10\n", r"header must be model,timestamp\[,count\]"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TraceError, match=message):
        read_canonical(_write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="no such trace file"):
        read_canonical(tmp_path / "absent.csv")


def test_write_then_read_is_lossless(tmp_path: Path) -> None:
    original = read_canonical(_write(tmp_path, "model,timestamp,count\n"
                                               "x,1700000000.1234567,0.5\ny,12,7\n"))
    out = tmp_path / "out.csv"
    write_canonical(original, out)
    assert read_canonical(out)[["model", "ts", "count"]].equals(original)
