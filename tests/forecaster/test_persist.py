"""Saved models come back identical; anything else is refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from forecaster import ModelFileError, QuantileGBM, SeasonalNaive, load_model, save_model
from forecaster.persist import MAGIC
from tests.forecaster.synthetic import START, table


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "gbm.wsf"
    save_model(QuantileGBM((0.5, 0.9), max_iter=20).fit(table(days=3)), path)
    return path


def test_a_saved_model_predicts_exactly_as_before(saved: Path) -> None:
    fresh = QuantileGBM((0.5, 0.9), max_iter=20).fit(table(days=3))
    model, header = load_model(saved)
    np.testing.assert_array_equal(model.predict(2).values, fresh.predict(2).values)
    assert header["model"] == "QuantileGBM"
    assert header["training_window"] == [START, START + 3 * 86_400 - 600]
    assert header["quantiles"] == [0.5, 0.9]


def rewrite_header(source: Path, target: Path, **changes: object) -> Path:
    blob = source.read_bytes()[len(MAGIC) :]
    line, _, payload = blob.partition(b"\n")
    header = {**json.loads(line), **changes}
    target.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + payload)
    return target


def test_a_flipped_payload_byte_is_caught_before_unpickling(saved: Path, tmp_path: Path) -> None:
    blob = bytearray(saved.read_bytes())
    blob[-10] ^= 0xFF
    (tmp_path / "bad").write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="does not match its sha256"):
        load_model(tmp_path / "bad")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema": 99}, "schema 99, this version reads 2"),
        ({"sklearn": "0.1"}, "saved with scikit-learn 0.1"),
    ],
)
def test_incompatible_files_are_refused(
    saved: Path, tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ModelFileError, match=message):
        load_model(rewrite_header(saved, tmp_path / "m", **changes))


def test_foreign_and_missing_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.pkl").write_bytes(b"\x80\x04garbage")
    with pytest.raises(ModelFileError, match="not a warmstart forecaster file"):
        load_model(tmp_path / "x.pkl")
    (tmp_path / "h").write_bytes(MAGIC + b"{not json\n")
    with pytest.raises(ModelFileError, match="header is not JSON"):
        load_model(tmp_path / "h")
    with pytest.raises(ModelFileError, match="cannot read"):
        load_model(tmp_path / "absent")


def test_every_model_kind_round_trips(tmp_path: Path) -> None:
    model = SeasonalNaive("daily", (0.5,)).fit(table(days=3))
    save_model(model, tmp_path / "sn")
    loaded, _ = load_model(tmp_path / "sn")
    np.testing.assert_array_equal(loaded.predict(3).values, model.predict(3).values)
