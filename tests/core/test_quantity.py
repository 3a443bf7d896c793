from decimal import Decimal

import pytest

from warmstart.quantity import QuantityError, parse_quantity


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("8", 8),
        ("32Gi", 32 * 1024**3),
        ("500m", Decimal("0.5")),
        ("1.5e9", Decimal("1.5e9")),
        ("2k", 2000),
        ("7000Gi", 7000 * 1024**3),
        (3, 3),
    ],
)
def test_parses_kubernetes_quantities(raw, value):
    assert parse_quantity(raw) == value


def test_rejects_garbage_with_the_text():
    with pytest.raises(QuantityError, match="'12 apples'"):
        parse_quantity("12 apples")
