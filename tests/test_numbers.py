from __future__ import annotations

from decimal import Decimal

import pytest

from perfrules._numbers import NumberError, parse_nature, parse_number, split_nature, to_decimal


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("95", "95", None),
        ("95%", "95", "%"),
        ("９５％", "95", "%"),
        ("5,956.7", "5956.7", None),
        ("6000万元", "6000", "万元"),
        (" 4.5 ", "4.5", None),
        ("-3", "-3", None),
        ("12次", "12", "次"),
        ("１２．５", "12.5", None),
    ],
)
def test_parse_number(text: str, number: str, unit: str | None) -> None:
    assert parse_number(text) == (Decimal(number), unit)


@pytest.mark.parametrize("text", ["", "NaN", "Infinity", "-inf", "九十", "1,2", "12-15", "abc", "95%以上5"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


def test_floats_through_shortest_repr() -> None:
    assert to_decimal(794.8) == Decimal("794.8")
    assert to_decimal(0.1) == Decimal("0.1")
    with pytest.raises(NumberError):
        to_decimal(float("nan"))
    with pytest.raises(NumberError):
        to_decimal(True)
    with pytest.raises(NumberError):
        to_decimal(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("word", "nature"),
    [
        ("≥", "≥"), (">=", "≥"), ("≧", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("大于等于", "≥"),
        ("＞", ">"), (">", ">"),
        ("≤", "≤"), ("<=", "≤"), ("≦", "≤"), ("不高于", "≤"), ("不超过", "≤"), ("不多于", "≤"),
        ("小于等于", "≤"), ("＜", "<"),
        ("=", "="), ("＝", "="), ("等于", "="),
        ("定性", "定性"), (" 定 性 ", "定性"),
    ],
)
def test_natures(word: str, nature: str) -> None:
    assert parse_nature(word) == nature


def test_unknown_nature_and_empty() -> None:
    assert parse_nature("") is None
    assert parse_nature(None) is None
    with pytest.raises(KeyError):
        parse_nature("约等于")


@pytest.mark.parametrize(
    ("text", "nature", "rest"),
    [("≥95%", "≥", "95%"), ("≤6000万元", "≤", "6000万元"), ("=100%", "=", "100%"),
     ("不低于90", "≥", "90"), ("＞５", ">", "5"), ("良好", None, "良好"), ("100", None, "100")],
)
def test_split_nature(text: str, nature: str | None, rest: str) -> None:
    assert split_nature(text) == (nature, rest)
