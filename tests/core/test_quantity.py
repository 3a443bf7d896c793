from decimal import Decimal

import pytest

from warmstart.podspec import PodSpecError, pod_demand
from warmstart.quantity import QuantityError, parse_quantity, parse_size


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("8", 8),
        ("32Gi", 32 * 1024**3),
        ("500m", Decimal("0.5")),
        ("1.5e9", Decimal("1.5e9")),
        ("1E3", 1000),
        ("2k", 2000),
        ("1E", 10**18),  # exa, not an exponent
        ("7000Gi", 7000 * 1024**3),
        ("+3", 3),
        ("-2", -2),
        (".5", Decimal("0.5")),
        ("5.", 5),
        ("100n", Decimal("1e-7")),
        (3, 3),
        (2.5, Decimal("2.5")),
    ],
)
def test_parses_kubernetes_quantities(raw, value):
    assert parse_quantity(raw) == value


@pytest.mark.parametrize(
    "raw",
    ["NaN", "nan", "Infinity", "inf", "-Infinity", "1_000", " 8", "8 ", "8\n", "", ".", "1e",
     "e3", "1ee3", "0x10", "1ki", "1K", "1Gb", "１", "12 apples", "1e3Gi",
     float("nan"), float("inf"), True],
)
def test_refuses_what_the_api_server_refuses_naming_the_text(raw):
    with pytest.raises(QuantityError, match="not a Kubernetes quantity") as caught:
        parse_quantity(raw)
    assert repr(raw) in str(caught.value) and caught.value.raw is raw


@pytest.mark.parametrize("raw", ["1e40", "9Ei", "1e" + "9" * 5000])
def test_refuses_amounts_beyond_int64_quickly(raw):
    with pytest.raises(QuantityError, match="out of range"):
        parse_quantity(raw)


def test_a_long_text_is_shortened_in_the_message():
    with pytest.raises(QuantityError) as caught:
        parse_quantity("x" * 10_000)
    assert len(str(caught.value)) < 120


def test_sizes_are_whole_non_negative_and_rounded_up():
    assert parse_size("1.5e9") == 1_500_000_000
    assert parse_size("500m") == 1  # Quantity.Value() rounds up
    assert parse_size("0") == 0
    with pytest.raises(QuantityError, match="must not be negative: '-1Gi'"):
        parse_size("-1Gi")


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1_000", " 8", "-5"])
def test_a_pod_with_a_bad_model_size_is_a_pod_error_naming_the_annotation(raw):
    pod = {"metadata": {"annotations": {"warmstart.io/model": "s3://b/m",
                                        "warmstart.io/model-bytes": raw}},
           "spec": {"containers": [{"name": "c", "image": "vllm"}]}}
    with pytest.raises(PodSpecError, match=r'annotations\["warmstart.io/model-bytes"\]'):
        pod_demand(pod)


@pytest.mark.parametrize(("annotated", "gpus"), [("4", 4.0), (None, 0.0), ("NaN", 8.0),
                                                  ("Infinity", 8.0), ("-2", 8.0)])
def test_the_provisioner_reads_its_gpu_annotation_strictly(annotated, gpus):
    from provisioner.observe import _gpus
    from provisioner.state import GPU, NodeTemplate

    template = NodeTemplate("t", "pool", (), {GPU: 8.0}, 1.0)
    assert _gpus(annotated, template) == gpus  # an unreadable one counts as the template's
