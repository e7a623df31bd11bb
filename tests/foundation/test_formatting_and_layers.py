from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from panhuo.formatting import cn_amount, cn_count, cn_date, cn_percent


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (5_200, "zh-hans", "0.52万"),            # under 1万, beside 万 amounts: in 万 too
    (36, "zh-hans", "36元"),                # a few 元 are written as such
    (12_345_678, "zh-hans", "1,234.57万"),
    (163_141_000, "zh-hans", "1.63亿"),       # not 16,314.1万元
    (3.2e9, "zh-hans", "32.00亿"),
    (-15_000, "zh-hans", "-1.50万"),
    (0, "zh-hans", "0"),
    (12_345_678, "en", "12.35M"),
    (None, "zh-hans", "—"),
])
def test_amounts_read_as_staff_expect(value, lang, expected):
    assert cn_amount(value, lang=lang) == expected


def test_counts_percentages_and_dates_have_one_form():
    import datetime as dt

    assert cn_count(20000) == "20,000" and cn_count(4_340_174) == "4,340,174"
    assert cn_percent(0.83, digits=0) == "83%" and cn_percent(0.049) == "4.9%"
    assert cn_percent(-0.0004) == "0.0%"                      # never "-0.0%"
    assert cn_percent(0.034, signed=True) == "+3.4%" and cn_percent(-0.00001, signed=True) == "0.0%"
    assert cn_date(dt.date(2026, 3, 5)) == "2026-03-05" == cn_date("2026-03-05")


def test_analytics_layers_import_no_django():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        lint = Path(shutil.which("lint-imports") or "lint-imports")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([str(lint), "--no-cache"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
