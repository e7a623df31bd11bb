"""Amounts typed as staff write them: 50万, 1.5亿, 500,000元; anything else is refused, never guessed."""

import pytest

from panhuo.formatting import parse_amount


@pytest.mark.parametrize(("text", "value"), [
    ("50万", 500_000), ("1.5亿", 150_000_000), ("500,000元", 500_000), ("30万元", 300_000), ("-3万", -30_000),
    ("2.5M", 2_500_000), ("1千", 1_000), (" 12，000 ", 12_000), ("200", 200), (200, 200)])
def test_amounts_as_staff_write_them(text, value):
    assert parse_amount(text) == value


def test_a_bare_number_is_read_in_the_fields_unit():
    assert parse_amount("50", default_unit="万") == 500_000 and parse_amount("50万", default_unit="万") == 500_000


@pytest.mark.parametrize("text", ["5O万", "万", "", "abc", "nan", "inf", "50万亿", "1e3万x"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)
