"""Kubernetes resource quantities ("8", "32Gi", "500m", "1.5e9") to numbers, strictly.

Every quantity the project reads (pod requests, node allocatable, size
annotations, settings) goes through here, so one grammar decides what is a
number. It is the API server's (apimachinery `resource.ParseQuantity`):

    quantity ::= [+-] digits [. digits] suffix
    suffix   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
               | (e | E) [+-] digits

Python's own number parsers accept more ("NaN", "Infinity", "1_000", " 8 "),
and one such value in a pod annotation must not reach arithmetic that later
crashes or silently poisons a plan; all of them are refused here, naming the
text.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_GRAMMAR = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<exponent>[eE][+-]?[0-9]+)|(?P<suffix>[KMGTPE]i|[numkMGTPE]?))",
    re.ASCII,
)
# The API server keeps a quantity's value in an int64 of its smallest unit; anything
# beyond is no resource amount, and int() of a huge exponent would take for ever.
_LIMIT = Decimal(2) ** 63


class QuantityError(ValueError):
    """Not a Kubernetes quantity (or not one that fits where it is used)."""

    def __init__(self, problem: str, raw: object) -> None:
        shown = repr(raw)
        super().__init__(f"{problem}: {shown if len(shown) <= 80 else shown[:77] + '...'}")
        self.raw = raw


def parse_quantity(raw: str | int | float) -> Decimal:
    """A quantity as an exact decimal, possibly negative; raises QuantityError naming `raw`."""
    finite = not isinstance(raw, float) or math.isfinite(raw)
    ok_type = isinstance(raw, str | int | float) and not isinstance(raw, bool)
    match = _GRAMMAR.fullmatch(str(raw)) if ok_type and finite else None
    if match is None:
        raise QuantityError("not a Kubernetes quantity", raw)
    try:
        value = _scaled(Decimal(match["number"]), match["exponent"], match["suffix"])
    except (ArithmeticError, ValueError):  # an exponent of thousands of digits
        raise QuantityError("quantity out of range", raw) from None
    if abs(value) >= _LIMIT:
        raise QuantityError("quantity out of range", raw)
    return value


def _scaled(number: Decimal, exponent: str | None, suffix: str | None) -> Decimal:
    if exponent:
        return number.scaleb(int(exponent[1:]))
    if suffix in _BINARY:
        return number * Decimal(1024) ** _BINARY[suffix]
    return number.scaleb(_DECIMAL[suffix or ""])


def parse_size(raw: str | int | float) -> int:
    """A size or count (bytes, GPUs): a quantity >= 0, rounded up to a whole number
    as the API server's `Quantity.Value()` does."""
    value = parse_quantity(raw)
    if value < 0:
        raise QuantityError("must not be negative", raw)
    return int(value.to_integral_value(rounding="ROUND_CEILING"))
