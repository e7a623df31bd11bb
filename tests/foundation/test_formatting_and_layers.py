from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from panhuo.formatting import cn_amount


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (9999.5, "zh-hans", "9,999.50"),
    (12_345_678, "zh-hans", "1,234.57万"),
    (3.2e9, "zh-hans", "32.00亿"),
    (-15_000, "zh-hans", "-1.50万"),
    (12_345_678, "en", "12.35M"),
    (None, "zh-hans", "—"),
])
def test_amounts_read_as_staff_expect(value, lang, expected):
    assert cn_amount(value, lang=lang) == expected


def test_analytics_layers_import_no_django():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        lint = Path(shutil.which("lint-imports") or "lint-imports")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([str(lint), "--no-cache"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
